/**
 * Preloaded into a benchmark's child process (`node --require …`): counts the requests kafkajs sends,
 * by API name, and prints them on stderr when the process exits, as one line
 * `kafkajs requests {"Produce": n, …}` — how many transactions, coordinator look-ups and fetches a
 * client needed for the same work. kafkajs is the one in this package's node_modules.
 */
const { join } = require('node:path');

const Connection = require(join(__dirname, '../../node_modules/kafkajs/src/network/connection.js'));
const counts = {};
const send = Connection.prototype.send;
Connection.prototype.send = function countedSend(args) {
  const name = args.request.apiName;
  counts[name] = (counts[name] ?? 0) + 1;
  return send.call(this, args);
};
process.on('exit', () => process.stderr.write(`kafkajs requests ${JSON.stringify(counts)}\n`));

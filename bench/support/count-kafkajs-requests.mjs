/**
 * Preloaded into a benchmark's child process (`node --import <this file's URL> …`): counts the
 * requests kafkajs sends, by API name, and prints them on stderr when the process exits, as one line
 * `kafkajs requests {"Produce": n, …}` — how many transactions, coordinator look-ups and fetches a
 * client needed for the same work.
 *
 * kafkajs is CommonJS and keeps its Connection class in a module of its own, which every client in
 * the process (the child's own `import 'kafkajs'`, and Skein's, through dist/) gets from the same
 * require cache. Patching that module's prototype here, before the child's code loads, counts them all.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @typedef {{ request: { apiName: string } }} SendArgs what Connection.send is given: the request, and more */
/**
 * The part of kafkajs's Connection class (internal, so without types) that this counts.
 * @typedef {{ prototype: { send: (this: unknown, args: SendArgs) => Promise<unknown> } }} ConnectionClass
 */
const Connection = /** @type {ConnectionClass} */ (require('kafkajs/src/network/connection.js'));

/** @type {Record<string, number>} */
const counts = {};
const send = Connection.prototype.send;
/**
 * @this {unknown} the connection
 * @param {SendArgs} args
 */
function countedSend(args) {
  const name = args.request.apiName;
  counts[name] = (counts[name] ?? 0) + 1;
  return send.call(this, args);
}
Connection.prototype.send = countedSend;
process.on('exit', () => process.stderr.write(`kafkajs requests ${JSON.stringify(counts)}\n`));

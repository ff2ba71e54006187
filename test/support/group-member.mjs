// A kafkajs consumer-group member as a child process, so that a test can stop it cleanly or
// SIGKILL it. It reports, one JSON line each on stdout (synchronous on a pipe, so a line written is
// never lost to a SIGKILL):
//
//   {"event":"assigned","member":NAME,"memberId":ID,"partitions":[...]}   after each rebalance
//   {"event":"begin","member":NAME,"partition":P,"offset":O,"key":K}      before committing O+1
//   {"event":"done", ... }                                                the commit succeeded
//   {"event":"fail", ..., "error":E}                                      it did not (another
//                                                                          member will process O)
//   {"event":"stopped","member":NAME}                                     after a clean disconnect
//
// A record counts as processed when its offset is committed: "done" is written only then, so a
// record is processed twice exactly when two "done" lines name it. A member killed between its
// commit and "done" leaves a "begin" with no outcome; the test resolves those.
//
// usage: node group-member.mjs BOOTSTRAP GROUP TOPIC NAME [SESSION_TIMEOUT_MS]
// A line "leave" on stdin (or SIGTERM) disconnects (LeaveGroup) and exits 0.
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, groupId, topic, name, sessionTimeout = '3000'] = process.argv.slice(2);
/** @param {Record<string, unknown>} obj */
const out = (obj) => process.stdout.write(`${JSON.stringify({ member: name, ...obj })}\n`);

const kafka = new Kafka({
  clientId: name,
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
});
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: Number(sessionTimeout),
  rebalanceTimeout: 10_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
  retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
});

consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  out({ event: 'assigned', memberId: payload.memberId, partitions: (payload.memberAssignment[topic] ?? []).slice().sort((a, b) => a - b) });
});
consumer.on(consumer.events.CRASH, ({ payload }) => {
  process.stderr.write(`${name} crashed: ${payload.error?.stack ?? payload.error}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect();
  out({ event: 'stopped' });
  process.exit(0);
}
process.on('SIGTERM', stop);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  if (d.includes('leave')) void stop();
});

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    const record = { partition, offset: Number(message.offset), key: message.key?.toString() ?? null };
    out({ event: 'begin', ...record });
    try {
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
    } catch (err) {
      const e = /** @type {{ type?: string, name?: string } | undefined} */ (err);
      out({ event: 'fail', ...record, error: e?.type ?? e?.name ?? String(err) });
      throw err; // kafkajs rejoins on rebalance errors; the next owner processes the record
    }
    out({ event: 'done', ...record });
  },
});

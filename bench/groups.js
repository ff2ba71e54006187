/**
 * Consumer-group benchmark (part of npm run bench; alone: `node bench/groups.js` after a build).
 *
 *   - formation: three kafkajs consumers subscribe to a 6-partition topic at once; time from the
 *     first connect until every partition is owned (group.initial.rebalance.delay.ms=0, so the
 *     figure is the protocol's own cost, not a configured wait);
 *   - rebalance after a leave: one member disconnects (LeaveGroup); time until the two others own
 *     all six partitions again. kafkajs heartbeats only between fetches, so a member hears of a
 *     rebalance when its current long poll ends: the members poll with max.wait 100 ms and
 *     heartbeat every 100 ms, so the figure is the protocol's cost rather than kafkajs's 5 s
 *     default fetch wait;
 *   - offset commit throughput: OffsetCommit requests (one partition each, generation -1 as an
 *     admin tool commits) pipelined 32 deep on one connection, and the same with 50 partitions per
 *     request, for a few seconds each; side by side with Metadata requests on the same connection
 *     as the broker's request-rate baseline, since a commit is a Metadata-sized request plus one
 *     append to __consumer_offsets.
 *
 * The broker runs in a child process of its own (bench/support/broker-process.js).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { ProtocolClient } from '../dist/cli/protocol-client.js';
import { Metadata } from '../dist/protocol/apis/metadata.js';
import { OffsetCommit } from '../dist/protocol/apis/offset-commit.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.SKEIN_BENCH_COMMIT_SECONDS ?? 3);
const DEPTH = 32;

/**
 * @param {string} logDir
 * @param {string[]} [props] broker properties, `name=value`
 */
export async function startBrokerProcess(logDir, props = []) {
  const child = spawn(process.execPath, [join(HERE, 'support/broker-process.js'), logDir, ...props], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"port":\s*(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Waits until the members' latest assignments cover `partitions` partitions exactly once.
 * @param {Map<number, number[]>} assignments
 * @param {number} partitions
 */
function coverage(assignments, partitions) {
  const owned = [...assignments.values()].flat();
  return owned.length === partitions && new Set(owned).size === partitions;
}

/** @param {string} bootstrap */
async function groupTimes(bootstrap) {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'bench-groups', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench-group-topic', numPartitions: 6 }] });
  await admin.disconnect();

  const assignments = new Map();
  let onChange = () => {};
  const members = [0, 1, 2].map((i) => {
    const consumer = kafka.consumer({ groupId: 'bench-group', sessionTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assignments.set(i, (e.payload.memberAssignment['bench-group-topic'] ?? []).slice());
      onChange();
    });
    return consumer;
  });
  const settled = () =>
    /** @type {Promise<void>} */ (
      new Promise((resolve) => {
        onChange = () => coverage(assignments, 6) && resolve();
        onChange();
      })
    );

  const t0 = performance.now();
  const formed = settled();
  await Promise.all(
    members.map(async (c) => {
      await c.connect();
      await c.subscribe({ topics: ['bench-group-topic'] });
      await c.run({ eachMessage: async () => {} });
    }),
  );
  await formed;
  const formationMs = performance.now() - t0;

  const t1 = performance.now();
  assignments.delete(2);
  const rebalanced = settled();
  await members[2].disconnect();
  await rebalanced;
  const rebalanceMs = performance.now() - t1;

  await Promise.all(members.slice(0, 2).map((c) => c.disconnect()));
  return { formationMs, rebalanceMs };
}

/**
 * Sends `make()` requests DEPTH deep for SECONDS; returns requests per second.
 * @template Req
 * @param {import('../dist/cli/protocol-client.js').ProtocolClient} client
 * @param {import('../dist/protocol/api.js').Api<Req, unknown>} api
 * @param {() => Req} make
 * @param {number} version
 */
async function pipelined(client, api, make, version) {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      await client.send(api, make(), version);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: DEPTH }, lane));
  return done / ((performance.now() - t0) / 1000);
}

/** @param {string} bootstrap */
async function commitRates(bootstrap) {
  const [host, port] = bootstrap.split(':');
  const client = await ProtocolClient.connect([{ host, port: Number(port) }], { clientId: 'bench-commits' });
  /** @param {number} partitions */
  const commit = (partitions) => () => ({
    groupId: 'bench-commit-group',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: 'bench-group-topic',
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: Array.from({ length: partitions }, (_, p) => ({
          partitionIndex: p % 6,
          committedOffset: BigInt(p),
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: '',
        })),
      },
    ],
  });
  // warm up: creates __consumer_offsets
  await client.send(OffsetCommit, commit(1)(), 8);
  const metadataPerSec = await pipelined(
    client,
    Metadata,
    () => ({
      topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'bench-group-topic' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }),
    9,
  );
  const commitsPerSec = await pipelined(client, OffsetCommit, commit(1), 8);
  const batchedPerSec = await pipelined(client, OffsetCommit, commit(50), 8);
  client.close();
  return { metadataPerSec, commitsPerSec, batchedPerSec };
}

export async function runGroupBench(say = console.log) {
  const dir = mkdtempSync(join(process.env.SKEIN_BENCH_DIR ?? tmpdir(), 'skein-bench-groups-'));
  const broker = await startBrokerProcess(dir, ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=10']);
  try {
    const times = await groupTimes(broker.bootstrap);
    const rates = await commitRates(broker.bootstrap);
    /** @param {number} x */
    const f = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
    say('Consumer groups (kafkajs members polling every 100 ms, broker in its own process, group.initial.rebalance.delay.ms=0)');
    say(`  3-member group forms over 6 partitions        ${f(times.formationMs)} ms`);
    say(`  rebalance after one member leaves            ${f(times.rebalanceMs)} ms`);
    say(`  Metadata requests/s (baseline, ${DEPTH} in flight)   ${f(rates.metadataPerSec)}`);
    say(`  OffsetCommit/s, 1 partition each             ${f(rates.commitsPerSec)}  (${(rates.commitsPerSec / rates.metadataPerSec).toFixed(2)} × Metadata)`);
    say(`  OffsetCommit/s, 50 partitions each           ${f(rates.batchedPerSec)}  (${f(rates.batchedPerSec * 50)} partition offsets/s)`);
    return { ...times, ...rates };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runGroupBench();

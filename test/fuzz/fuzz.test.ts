/**
 * A seeded fuzz loop over the whole request surface: thousands of mutated requests — of every API
 * the broker serves, at every version it accepts — sent over several connections at once, while a
 * separate connection produces and fetches well-formed data whose every acknowledged record is
 * checked. The broker must answer each mutant correctly or close that one connection; it must not
 * crash, hang, log an error, or lose or change a single acknowledged record; and afterwards every
 * partition's log must reopen and recover without truncating anything.
 *
 * Replay a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run test/fuzz/fuzz.test.ts
 * (FUZZ_FRAMES=<n> changes the number of mutated frames, default 5000).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFailed } from 'vitest';
import { systemClock } from '../../src/broker/clock.js';
import { createHandlerRegistry } from '../../src/broker/handlers/index.js';
import { RECOVERY_POINT_CHECKPOINT_FILE } from '../../src/broker/log/checkpoint-file.js';
import { DEFAULT_LOG_CONFIG } from '../../src/broker/log/log-config.js';
import { PartitionLog } from '../../src/broker/log/partition-log.js';
import { skipTaggedFields } from '../../src/protocol/api.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { CreatePartitions } from '../../src/protocol/apis/create-partitions.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { DeleteTopics } from '../../src/protocol/apis/delete-topics.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Reader, ZERO_UUID } from '../../src/protocol/reader.js';
import { decodeRecords, encodeRecordBatch, iterateBatches } from '../../src/protocol/record-batch.js';
import { RawClient, sizePrefix } from '../support/raw-client.js';
import { apiVersions, createTopic, expectHealthy, expectNoErrorsLogged, fetchPartition, startFuzzBroker } from './fuzz-support.js';
import { expensiveButLegal, mutate, readHeader } from './mutate.js';
import { fuzzSeed, Random } from './prng.js';
import { type EncodedRequest, encodeTraced, type FuzzTopics, generateBody, templates } from './templates.js';

const SEED = fuzzSeed(0x5ce1_2025);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 5000);
const WORKERS = 6;
const MAX_REQUEST = 1 << 20;
/** The topic only well-formed traffic touches; the fuzzer's templates never name it. */
const CHECKED = 'fuzz-checked';
const CHECKED_PARTITIONS = 3;
const FUZZ_TOPICS = ['fz-0', 'fz-1', 'fz-2'];
const FUZZ_PARTITIONS = 2;
/** How long a connection may sit on a mutant before the fuzzer gives up on it (only LONG_POLLS may)... */
const PROBE_TIMEOUT_MS = 1500;
/** ... and how much longer any other request may take before it counts as a hang. */
const SLOW_ANSWER_MS = 8500;
/** APIs whose answer may wait by design. */
const LONG_POLLS = [Fetch.key, JoinGroup.key, SyncGroup.key];
/** Probe correlation ids live far from the ones the templates use (0..1e6). */
const PROBE_BASE = 1_500_000_000;

interface Acked {
  offset: bigint;
  key: string;
  value: string;
}

describe('fuzzing the request surface', () => {
  it(
    `survives ${FRAMES} mutated requests of every API and version, losing nothing acknowledged`,
    async () => {
      onTestFailed(() => {
        console.error(`fuzz seed ${SEED}; replay with FUZZ_SEED=${SEED} npx vitest run test/fuzz/fuzz.test.ts`);
      });
      const unhandled: string[] = [];
      const onUnhandled = (err: unknown): void => void unhandled.push(String((err as Error)?.stack ?? err));
      process.on('unhandledRejection', onUnhandled);
      process.on('uncaughtException', onUnhandled);

      const b = await startFuzzBroker({
        'socket.request.max.bytes': String(MAX_REQUEST),
        // Rebalances that finish quickly, so that a JoinGroup rarely waits.
        'group.initial.rebalance.delay.ms': '0',
        'group.min.session.timeout.ms': '100',
      });
      try {
        const admin = await RawClient.connect(b.port);
        const checkedId = await createTopic(admin, CHECKED, CHECKED_PARTITIONS);
        const ids = new Map<string, string>();
        for (const t of FUZZ_TOPICS) ids.set(t, await createTopic(admin, t, FUZZ_PARTITIONS));
        const supported = (await apiVersions(admin)).apiKeys;
        admin.destroy();

        const topicsForFuzz: FuzzTopics = { names: FUZZ_TOPICS, ids, partitions: FUZZ_PARTITIONS, groups: ['fzg-0', 'fzg-1', 'fzg-2', 'fzg-3'] };
        const tpl = templates(topicsForFuzz);
        // What the broker serves, straight from its handlers: every one of them gets fuzzed, including
        // APIs added after the templates were written (their bodies are generated from the schema).
        const served = createHandlerRegistry(b.server.services);
        const apiKeys = supported.map((k) => k.apiKey);
        const apis = new Map(apiKeys.map((k) => [k, served.get(k)!.api]));
        const accepted = new Map(supported.map((k) => [k.apiKey, { lo: served.get(k.apiKey)!.minVersion, hi: served.get(k.apiKey)!.maxVersion }]));
        const fuzzedPerApi = new Map<number, number>();

        const root = new Random(SEED);
        const stats = { answered: 0, responses: 0, closed: 0, hungUp: 0, longPolls: 0, skippedExpensive: 0 };
        let probes = 0;
        let stop = false;

        /** A response to a mutant must be for the request its header named, and decode exactly. */
        const checkResponse = (frame: Buffer, sent: Buffer, where: () => string): void => {
          const h = readHeader(sent);
          expect(h, `a response to a frame without a readable header: ${where()}`).not.toBeNull();
          const { apiKey, apiVersion, correlationId } = h!;
          const r = new Reader(frame);
          expect(r.int32(), `response correlation id: ${where()}`).toBe(correlationId);
          const range = accepted.get(apiKey);
          expect(range, `a response to api key ${apiKey}, which the broker does not serve: ${where()}`).toBeDefined();
          if (apiKey === ApiVersions.key && (apiVersion < range!.lo || apiVersion > range!.hi)) {
            const res = ApiVersions.response.decode(r, 0);
            expect(res.errorCode, where()).toBe(ErrorCode.UNSUPPORTED_VERSION);
          } else {
            expect(apiVersion >= range!.lo && apiVersion <= range!.hi, `a response to unsupported v${apiVersion}: ${where()}`).toBe(true);
            const api = apis.get(apiKey)!;
            if (api.responseHeaderVersion(apiVersion) === 1) skipTaggedFields(r);
            api.response.decode(r, apiVersion);
          }
          expect(r.remaining, `bytes left after decoding the response: ${where()}`).toBe(0);
        };

        const worker = async (id: number, frames: number): Promise<void> => {
          const rnd = root.fork(id);
          let c: RawClient | null = null;
          try {
            for (let i = 0; i < frames; i++) {
              if (c === null || c.isClosed) c = await RawClient.connect(b.port);
              const apiKey = rnd.pick(apiKeys);
              const api = apis.get(apiKey)!;
              const range = accepted.get(apiKey)!;
              const version = rnd.int(range.lo, range.hi);
              const template = tpl.get(apiKey);
              const body = template && rnd.chance(0.7) ? template.body(rnd, version) : generateBody(api.request.spec, version, rnd, topicsForFuzz);
              let enc: EncodedRequest;
              try {
                enc = encodeTraced(api, version, rnd.int(0, 1_000_000), body);
              } catch (err) {
                throw new Error(`the fuzzer could not encode ${api.name} v${version}: ${(err as Error).message}`, { cause: err });
              }
              fuzzedPerApi.set(apiKey, (fuzzedPerApi.get(apiKey) ?? 0) + 1);
              const m = mutate(rnd, enc, apiKeys, MAX_REQUEST);
              if (expensiveButLegal(m.bytes)) {
                stats.skippedExpensive++;
                i--;
                continue;
              }
              const wire = Buffer.concat([sizePrefix(m.declared), m.bytes, m.trailer]);
              const where = (): string =>
                `seed ${SEED}, worker ${id}, frame ${i}: ${api.name} v${version} with ${m.ops.join(', ')}; bytes ${wire.subarray(0, 256).toString('hex')}`;
              c.write(wire);

              if (m.declared !== m.bytes.length || m.trailer.length > 0) {
                // The framing is off: the broker may be waiting for bytes that will never come, or be
                // reading our bytes as the next frame. Once we hang up, it must close.
                c.end();
                await c.expectClosed(3000).catch(() => {
                  throw new Error(`connection not closed after the client hung up: ${where()}`);
                });
                stats.hungUp++;
                c = null;
                continue;
              }

              const probeId = PROBE_BASE + probes++;
              c.send(ApiVersions, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, probeId);
              let responses = 0;
              for (;;) {
                let o = await c.next(PROBE_TIMEOUT_MS);
                const apiKeySent = readHeader(m.bytes)?.apiKey;
                // A loaded machine may be slow to answer; only a request that waits by design is given up on early.
                if (o.kind === 'timeout' && !LONG_POLLS.includes(apiKeySent ?? -1)) o = await c.next(SLOW_ANSWER_MS);
                if (o.kind === 'closed') {
                  stats.closed++;
                  c = null;
                  break;
                }
                if (o.kind === 'timeout') {
                  // Only a request that waits by design may sit there — a Fetch (a mutated max.wait.ms), a
                  // JoinGroup or SyncGroup (a rebalance): anything else is a hang.
                  expect(LONG_POLLS, `no answer and no close within ${PROBE_TIMEOUT_MS + SLOW_ANSWER_MS} ms: ${where()}`).toContain(apiKeySent);
                  stats.longPolls++;
                  c.destroy();
                  c = null;
                  break;
                }
                if (o.frame.readInt32BE(0) === probeId) {
                  const r = new Reader(o.frame);
                  r.int32();
                  const res = ApiVersions.response.decode(r, 0);
                  expect(res.errorCode, where()).toBe(ErrorCode.NONE);
                  expect(res.apiKeys, where()).toEqual(supported);
                  stats.answered++;
                  break;
                }
                responses++;
                expect(responses, `more than one response to one request: ${where()}`).toBe(1);
                checkResponse(o.frame, m.bytes, where);
                stats.responses++;
              }
            }
          } finally {
            c?.destroy();
          }
        };

        // Well-formed traffic alongside: every acknowledged record must read back intact at its offset.
        const acked: Acked[][] = Array.from({ length: CHECKED_PARTITIONS }, () => []);
        const checkFetched = (partition: number, records: Buffer | Buffer[] | null, where: string): number => {
          const buf = records === null ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records);
          let seen = 0;
          for (const batch of iterateBatches(buf)) {
            for (const rec of decodeRecords(batch)) {
              const want = acked[partition][Number(rec.offset)];
              expect(want, `${where}: offset ${rec.offset} was never acknowledged`).toBeDefined();
              expect({ offset: rec.offset, key: rec.key?.toString(), value: rec.value?.toString() }, where).toEqual(want);
              seen++;
            }
          }
          return seen;
        };
        const validTraffic = async (): Promise<number> => {
          const rnd = root.fork(1000);
          const c = await RawClient.connect(b.port);
          let produced = 0;
          try {
            for (let seq = 0; !stop || seq < 20; seq++) {
              const partition = rnd.int(0, CHECKED_PARTITIONS - 1);
              const values = Array.from({ length: rnd.int(1, 5) }, (_, i) => `value-${seq}-${i}-${rnd.bytes(rnd.int(0, 24)).toString('hex')}`);
              const version = rnd.int(3, 13);
              const res = await c.request(Produce, version, {
                transactionalId: null,
                acks: rnd.pick([-1, 1]),
                timeoutMs: 5000,
                topicData: [
                  {
                    name: CHECKED,
                    topicId: checkedId,
                    partitionData: [
                      {
                        index: partition,
                        records: encodeRecordBatch({
                          records: values.map((v, i) => ({ key: Buffer.from(`key-${seq}-${i}`), value: Buffer.from(v) })),
                          timestamp: BigInt(Date.now()),
                        }),
                      },
                    ],
                  },
                ],
              });
              const p = res.responses[0].partitionResponses[0];
              expect(p.errorCode, `seed ${SEED}: valid Produce v${version} #${seq}`).toBe(ErrorCode.NONE);
              expect(p.baseOffset, `seed ${SEED}: offsets are assigned densely`).toBe(BigInt(acked[partition].length));
              values.forEach((value, i) => acked[partition].push({ offset: p.baseOffset + BigInt(i), key: `key-${seq}-${i}`, value }));
              produced += values.length;
              if (seq % 4 === 3) {
                const from = rnd.int(0, acked[partition].length - 1);
                const f = await fetchPartition(c, CHECKED, partition, BigInt(from), rnd.int(4, 12), rnd.int(1, 4096));
                expect(f.errorCode).toBe(ErrorCode.NONE);
                expect(checkFetched(partition, f.records, `seed ${SEED}: fetch from ${from}`)).toBeGreaterThan(0);
              }
            }
          } finally {
            c.destroy();
          }
          return produced;
        };

        const started = Date.now();
        const per = Math.ceil(FRAMES / WORKERS);
        const traffic = validTraffic();
        try {
          await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, Math.min(per, FRAMES - w * per))));
        } finally {
          stop = true;
        }
        const produced = await traffic;
        const elapsed = Date.now() - started;
        if (process.env.FUZZ_VERBOSE) console.log(`fuzz seed ${SEED}: ${FRAMES} frames in ${elapsed} ms, ${produced} records produced alongside`, stats);

        // Every API was fuzzed; both outcomes were exercised, in quantity, and quickly enough.
        expect(
          apiKeys.filter((k) => !fuzzedPerApi.has(k)),
          'APIs never fuzzed',
        ).toEqual([]);
        expect(stats.answered + stats.closed + stats.hungUp + stats.longPolls).toBe(FRAMES);
        expect(stats.answered).toBeGreaterThan(FRAMES / 20);
        expect(stats.closed).toBeGreaterThan(FRAMES / 20);
        expect(produced).toBeGreaterThan(0);
        expect(elapsed, `stats ${JSON.stringify(stats)}`).toBeLessThan(FRAMES * 8);

        // Every acknowledged record, read back whole from offset 0, in order and nothing else.
        const c = await RawClient.connect(b.port);
        for (let p = 0; p < CHECKED_PARTITIONS; p++) {
          const f = await fetchPartition(c, CHECKED, p);
          expect(f.highWatermark).toBe(BigInt(acked[p].length));
          expect(checkFetched(p, f.records, `seed ${SEED}: final read of ${CHECKED}-${p}`)).toBe(acked[p].length);
        }
        c.destroy();
        await expectHealthy(b.port);
        expectNoErrorsLogged(b.logger, `seed ${SEED}`);
        expect(unhandled, `seed ${SEED}`).toEqual([]);

        // Every partition's log reopens and recovers — all segments re-read — without truncation.
        const { topics, replicaManager } = b.server.services;
        const ends = topics
          .list()
          .flatMap((t) =>
            Array.from({ length: t.partitions }, (_, p) => ({ topic: t.name, partition: p, end: replicaManager.partitionLog(t.name, p).logEndOffset })),
          );
        await b.stop();
        for (const { topic, partition, end } of ends) {
          const dir = join(b.logDir, `${topic}-${partition}`);
          rmSync(join(dir, RECOVERY_POINT_CHECKPOINT_FILE), { force: true });
          const lines: string[] = [];
          const log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, {
            clock: systemClock,
            logger: { info: () => {}, warn: (m) => void lines.push(m), error: (m) => void lines.push(m) },
            hadCleanShutdown: false,
          });
          expect(log.logEndOffset, `${topic}-${partition} after recovery`).toBe(end);
          expect(
            lines.filter((l) => /truncat|torn|corrupt/i.test(l)),
            `${topic}-${partition}`,
          ).toEqual([]);
          await log.close();
        }

        // And the broker itself starts again on that directory with every acknowledged record.
        const again = await startFuzzBroker({}, b.logDir);
        try {
          const c2 = await RawClient.connect(again.port);
          for (let p = 0; p < CHECKED_PARTITIONS; p++) {
            const f = await fetchPartition(c2, CHECKED, p);
            expect(checkFetched(p, f.records, `seed ${SEED}: after restart, ${CHECKED}-${p}`)).toBe(acked[p].length);
          }
          c2.destroy();
          expectNoErrorsLogged(again.logger, `restart, seed ${SEED}`);
        } finally {
          await again.dispose();
        }
      } finally {
        process.off('unhandledRejection', onUnhandled);
        process.off('uncaughtException', onUnhandled);
        await b.dispose();
      }
    },
    Math.max(60_000, FRAMES * 12),
  );
});

describe('well-formed requests the fuzzer found mishandled', () => {
  it('CreateTopics or CreatePartitions above 10,000 partitions per request is POLICY_VIOLATION, at once (it used to hang the broker)', async () => {
    const b = await startFuzzBroker();
    try {
      const c = await RawClient.connect(b.port);
      const started = Date.now();
      const create = (topics: Array<{ name: string; numPartitions: number }>, validateOnly = false) =>
        c.request(CreateTopics, 7, {
          topics: topics.map((t) => ({ ...t, replicationFactor: 1, assignments: [], configs: [] })),
          timeoutMs: 1000,
          validateOnly,
        });
      // One 60-byte request asking for 2^31-1 partitions used to hold the event loop for good.
      const huge = await create([{ name: 'huge', numPartitions: 0x7fffffff }]);
      expect(huge.topics[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      expect(huge.topics[0].errorMessage).toBe('Unable to perform excessively large batch operation.');
      expect((await create([{ name: 'huge', numPartitions: 10_001 }], true)).topics[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      // The bound is per request: many topics each under it do not add up to more.
      const many = await create(
        Array.from({ length: 4 }, (_, i) => ({ name: `many-${i}`, numPartitions: 4_000 })),
        true,
      );
      expect(many.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.POLICY_VIOLATION, ErrorCode.POLICY_VIOLATION]);
      // Growing a topic is bounded the same way.
      await createTopic(c, 'grows', 1);
      const grow = await c.request(CreatePartitions, 3, {
        topics: [{ name: 'grows', count: 0x7fffffff, assignments: null }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(grow.results[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      expect(Date.now() - started).toBeLessThan(5_000);
      const md = await c.request(Metadata, 12, {
        topics: null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      expect(md.topics.map((t) => [t.name, t.partitions.length])).toEqual([['grows', 1]]);
      c.destroy();
      expectNoErrorsLogged(b.logger);
    } finally {
      await b.dispose();
    }
  });

  it('a JoinGroup that lists one protocol twice is answered (it used to throw from a timer and end the process)', async () => {
    const unhandled: string[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(String(err));
    process.on('uncaughtException', onUnhandled);
    const b = await startFuzzBroker({ 'group.initial.rebalance.delay.ms': '0' });
    try {
      const c = await RawClient.connect(b.port);
      const range = { name: 'range', metadata: Buffer.alloc(0) };
      const res = await c.request(JoinGroup, 3, {
        groupId: 'twice',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 1000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [range, range],
      });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      expect(res.protocolName).toBe('range');
      expect(res.leader).toBe(res.memberId);
      c.destroy();
      expect(unhandled).toEqual([]);
      expectNoErrorsLogged(b.logger);
    } finally {
      process.off('uncaughtException', onUnhandled);
      await b.dispose();
    }
  });
  it('Metadata v10-11 naming a topic by id is INVALID_REQUEST (it used to fail to encode and drop the connection)', async () => {
    const b = await startFuzzBroker();
    try {
      const c = await RawClient.connect(b.port);
      const id = await createTopic(c, 'by-id', 1);
      const ask = (version: number, topics: Array<{ name: string | null; topicId: string }>) =>
        c.request(Metadata, version, {
          topics,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        });
      for (const version of [10, 11]) {
        const nullName = await ask(version, [
          { name: null, topicId: '0b5c6d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' },
          { name: 'by-id', topicId: ZERO_UUID },
        ]);
        expect(nullName.topics.map((t) => [t.name, t.errorCode])).toEqual([
          ['', ErrorCode.INVALID_REQUEST],
          ['by-id', ErrorCode.INVALID_REQUEST],
        ]);
        const withId = await ask(version, [{ name: 'by-id', topicId: id }]);
        expect(withId.topics[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
        expect((await ask(version, [{ name: 'by-id', topicId: ZERO_UUID }])).topics[0].errorCode).toBe(ErrorCode.NONE);
      }
      // From v12 a topic may be asked for by id, and an unknown id comes back with a null name.
      const v12 = await ask(12, [
        { name: null, topicId: id },
        { name: null, topicId: '0b5c6d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' },
      ]);
      expect(v12.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['by-id', ErrorCode.NONE],
        [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ]);
      c.destroy();
      expectNoErrorsLogged(b.logger);
    } finally {
      await b.dispose();
    }
  });
  it('deleting a topic with a 249-character name works (renaming its logs used to fail and end the process)', async () => {
    const unhandled: string[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(String(err));
    process.on('unhandledRejection', onUnhandled);
    const b = await startFuzzBroker();
    try {
      const c = await RawClient.connect(b.port);
      const name = `long-${'x'.repeat(244)}`;
      expect(name).toHaveLength(249);
      await createTopic(c, name, 2);
      for (let round = 0; round < 2; round++) {
        const res = await c.request(DeleteTopics, 4, { topicNames: [name], topics: [], timeoutMs: 1000 });
        expect(res.responses[0].errorCode).toBe(ErrorCode.NONE);
        // The partition directories go away (renamed, then removed in the background).
        for (let i = 0; i < 50 && readdirSync(b.logDir).some((d) => d.startsWith('long-')); i++) await new Promise((r) => setTimeout(r, 20));
        expect(readdirSync(b.logDir).filter((d) => d.startsWith('long-'))).toEqual([]);
        if (round === 0) await createTopic(c, name, 2);
      }
      c.destroy();
      expect(unhandled).toEqual([]);
      expectNoErrorsLogged(b.logger);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await b.dispose();
    }
  });
});

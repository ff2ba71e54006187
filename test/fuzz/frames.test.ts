/**
 * Bad framing and bad headers: whatever arrives on one connection, the broker either answers it
 * correctly or closes that connection — it never crashes, never allocates what a lying size field
 * claims, never logs an error, and every other connection (one kept open for the whole file, and a
 * fresh one after each case) carries on with a topic's data unchanged.
 *
 * What Kafka does, and so what we expect:
 * - a size below a request header's minimum or above socket.request.max.bytes: the connection is
 *   closed at once, before the body arrives (InvalidReceiveException);
 * - an unknown API key, an API the broker does not serve, an unsupported version, a header or body
 *   that does not decode: the connection is closed;
 * - ApiVersions at a version the broker does not know: a v0 answer with UNSUPPORTED_VERSION and the
 *   full API list (KIP-511), and the connection stays open;
 * - bytes after a request's last field, inside its frame, are ignored (the frame is the unit).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, encodeRequest } from '../../src/protocol/api.js';
import { AddOffsetsToTxn } from '../../src/protocol/apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from '../../src/protocol/apis/add-partitions-to-txn.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { DescribeProducers } from '../../src/protocol/apis/describe-producers.js';
import { DescribeTransactions } from '../../src/protocol/apis/describe-transactions.js';
import { EndTxn } from '../../src/protocol/apis/end-txn.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { InitProducerId } from '../../src/protocol/apis/init-producer-id.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { ListTransactions } from '../../src/protocol/apis/list-transactions.js';
import { TxnOffsetCommit } from '../../src/protocol/apis/txn-offset-commit.js';
import { WriteTxnMarkers } from '../../src/protocol/apis/write-txn-markers.js';
import { Metadata, type MetadataRequest } from '../../src/protocol/apis/metadata.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { correlationIdOf, frame, RawClient, sizePrefix } from '../support/raw-client.js';
import {
  apiVersions,
  batchOf,
  createTopic,
  type Expectation,
  expectHealthy,
  expectNoErrorsLogged,
  type FuzzBroker,
  producePartition,
  snapshotPartition,
  startFuzzBroker,
} from './fuzz-support.js';
import { fuzzSeed, Random } from './prng.js';
import { generateBody } from './templates.js';

/** socket.request.max.bytes for this file: small, so that "too big" is cheap to reach. */
const MAX_REQUEST = 64 * 1024;
const TOPIC = 'frames';
const SEED = fuzzSeed(20_251_121);

const metadataAll: MetadataRequest = {
  topics: null,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};

/** A request header alone (v1: key, version, correlation id, client id), without a size. */
function header(apiKey: number, apiVersion: number, correlationId = 7, clientId: string | null = 'fuzz'): Buffer {
  return new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId).toBuffer();
}

function request<Req>(api: Api<Req, unknown>, version: number, body: Req, correlationId = 7): Buffer {
  return encodeRequest(api, version, correlationId, 'fuzz', body);
}

describe('malformed frames and headers', () => {
  let b: FuzzBroker;
  /** A connection opened before any bad input and used after every case: it must never notice. */
  let steady: RawClient;
  let expectations: Expectation[];
  let supported: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  const opened: RawClient[] = [];

  const open = async (): Promise<RawClient> => {
    const c = await RawClient.connect(b.port);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    b = await startFuzzBroker({ 'socket.request.max.bytes': String(MAX_REQUEST) });
    const admin = await open();
    await createTopic(admin, TOPIC, 2);
    for (let p = 0; p < 2; p++) {
      for (let i = 0; i < 3; i++) {
        const r = await producePartition(admin, { topic: TOPIC, partition: p, records: batchOf([`p${p}-a${i}`, `p${p}-b${i}`]) });
        expect(r.errorCode).toBe(ErrorCode.NONE);
      }
    }
    expectations = [];
    for (let p = 0; p < 2; p++) expectations.push({ topic: TOPIC, partition: p, ...(await snapshotPartition(admin, TOPIC, p)) });
    expect(expectations.every((e) => e.logEndOffset === 6n)).toBe(true);
    supported = (await apiVersions(admin)).apiKeys;
    steady = await RawClient.connect(b.port);
  });

  afterEach(async () => {
    await expectHealthy(b.port, expectations);
    await expectHealthy(b.port, expectations, steady);
    expectNoErrorsLogged(b.logger);
    for (const c of opened.splice(0)) c.destroy();
  });

  afterAll(async () => {
    steady?.destroy();
    for (const c of opened) c.destroy();
    await b?.dispose();
  });

  it('random bytes: a size outside the limits closes at once; anything else is answered, waited on, or closed', async () => {
    const rnd = new Random(SEED);
    const cases = Array.from({ length: 150 }, (_, i) => (i % 10 === 0 ? rnd.bytes(rnd.int(1, 3)) : rnd.bytes(rnd.int(4, 400))));
    cases.push(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    cases.push(Buffer.from('160301020001000100', 'hex')); // a TLS ClientHello on a plaintext listener
    const clients = await Promise.all(cases.map(() => open()));
    cases.forEach((bytes, i) => clients[i].write(bytes));
    const sizeOf = (bytes: Buffer): number | undefined => (bytes.length >= 4 ? bytes.readInt32BE(0) : undefined);
    const outOfLimits = (size: number | undefined): boolean => size !== undefined && (size < 10 || size > MAX_REQUEST);
    // A size the broker cannot accept: closed without our hanging up, and nothing answered.
    for (let i = 0; i < cases.length; i++) {
      if (!outOfLimits(sizeOf(cases[i]))) continue;
      expect(await clients[i].expectClosed(2000), `seed ${SEED}, case ${i}: ${cases[i].toString('hex')}`).toEqual([]);
    }
    // Any other: the broker waits for the rest of the frame, or closes on a header it cannot read.
    const outcomes = await Promise.all(clients.map((c) => c.next(200)));
    for (let i = 0; i < cases.length; i++) {
      expect(['closed', 'timeout'], `seed ${SEED}, case ${i}: ${cases[i].toString('hex')}`).toContain(outcomes[i].kind);
    }
    // Whatever is still waiting for more bytes gives up when we hang up, as a broker should.
    for (const c of clients) c.end();
    await Promise.all(clients.map((c) => c.expectClosed(2000)));
  });

  it('a truncated frame is waited on, never answered, and closed when the client hangs up', async () => {
    const c = await open();
    const full = request(Metadata, 1, { ...metadataAll, topics: [{ topicId: '', name: TOPIC }] });
    c.write(Buffer.concat([sizePrefix(full.length + 40), full])); // says 40 bytes more than it sends
    expect((await c.next(200)).kind).toBe('timeout');
    c.end();
    expect(await c.expectClosed()).toEqual([]);
  });

  it('a request split into single bytes is reassembled and answered', async () => {
    const c = await open();
    const bytes = frame(request(ApiVersions, 3, { clientSoftwareName: 'drip', clientSoftwareVersion: '1' }, 41));
    for (const byte of bytes) {
      c.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const o = await c.next();
    expect(o.kind).toBe('frame');
    if (o.kind === 'frame') expect(correlationIdOf(o.frame)).toBe(41);
  });

  it('a size above socket.request.max.bytes closes the connection before the body arrives, allocating nothing for it', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const lies = [MAX_REQUEST + 1, 1 << 24, 0x7fffffff];
    const clients: RawClient[] = [];
    for (const size of lies) {
      for (let i = 0; i < 10; i++) {
        const c = await open();
        // Only the size and a plausible header: the broker must not wait for the rest.
        c.write(Buffer.concat([sizePrefix(size), header(Produce.key, 9)]));
        clients.push(c);
      }
    }
    for (const c of clients) expect(await c.expectClosed(1000)).toEqual([]);
    // 30 connections claimed ~21 GB between them; the broker's buffers must not have grown by that.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('a frame of exactly socket.request.max.bytes is accepted', async () => {
    const c = await open();
    const body = request(ApiVersions, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, 99);
    const padded = Buffer.concat([body, Buffer.alloc(MAX_REQUEST - body.length, 0xee)]);
    c.sendFrame(padded);
    const o = await c.next();
    expect(o.kind).toBe('frame');
    if (o.kind === 'frame') expect(correlationIdOf(o.frame)).toBe(99);
  });

  it.each([
    ['-1', -1],
    ['-2^31', -0x80000000],
    ['0', 0],
    ['1', 1],
    ['4', 4],
    ['9 (one byte short of the smallest header)', 9],
  ])('a frame size of %s closes the connection', async (_, size) => {
    const c = await open();
    c.write(Buffer.concat([sizePrefix(size), header(ApiVersions.key, 0)]));
    expect(await c.expectClosed(1000)).toEqual([]);
  });

  it('the smallest possible request (10 bytes: ApiVersions v0 with a null client id) is answered', async () => {
    const c = await open();
    const h = header(ApiVersions.key, 0, 1234, null);
    expect(h.length).toBe(10);
    c.sendFrame(h);
    const o = await c.next();
    expect(o.kind).toBe('frame');
    if (o.kind !== 'frame') return;
    const r = new Reader(o.frame);
    expect(r.int32()).toBe(1234);
    const res = ApiVersions.response.decode(r, 0);
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.apiKeys).toEqual(supported);
  });

  it('a size smaller than the request cuts it short: the connection is closed', async () => {
    const c = await open();
    const full = request(Metadata, 1, { ...metadataAll, topics: [{ topicId: '', name: TOPIC }] });
    c.write(Buffer.concat([sizePrefix(full.length - 3), full]));
    expect(await c.expectClosed()).toEqual([]);
  });

  it('a size larger than the request, with garbage after the last field, is answered and keeps the framing', async () => {
    const c = await open();
    const full = request(ApiVersions, 3, { clientSoftwareName: 'tail', clientSoftwareVersion: '1' }, 5);
    c.sendFrame(Buffer.concat([full, Buffer.from('deadbeefcafe00', 'hex')]));
    const o = await c.next();
    expect(o.kind).toBe('frame');
    if (o.kind === 'frame') expect(correlationIdOf(o.frame)).toBe(5);
    // The next request on the same connection starts exactly where the padded frame ended.
    const md = await c.request(Metadata, 12, metadataAll);
    expect(md.topics.map((t) => t.name)).toContain(TOPIC);
  });

  it('unknown API keys close the connection', async () => {
    const served = new Set(supported.map((k) => k.apiKey));
    const unknown = [999, -1, 32767, -32768, ...Array.from({ length: 75 }, (_, k) => k).filter((k) => !served.has(k))];
    const clients = await Promise.all(unknown.map(() => open()));
    unknown.forEach((key, i) => clients[i].sendFrame(Buffer.concat([header(key, 0), Buffer.alloc(16)])));
    for (let i = 0; i < unknown.length; i++) expect(await clients[i].expectClosed(), `api key ${unknown[i]}`).toEqual([]);
  });

  it('well-formed requests of APIs the codec knows but the broker does not serve close the connection', async (ctx) => {
    const served = new Set(supported.map((k) => k.apiKey));
    const known: Array<Api<unknown, unknown>> = [
      FindCoordinator,
      InitProducerId,
      ListGroups,
      AddPartitionsToTxn,
      AddOffsetsToTxn,
      EndTxn,
      WriteTxnMarkers,
      TxnOffsetCommit,
      DescribeProducers,
      DescribeTransactions,
      ListTransactions,
    ] as Array<Api<unknown, unknown>>;
    const notServed = known.filter((api) => !served.has(api.key));
    if (notServed.length === 0) ctx.skip();
    const rnd = new Random(SEED);
    const topics = { names: [TOPIC], ids: new Map<string, string>(), partitions: 2, groups: ['g'] };
    for (const api of notServed) {
      for (const version of [api.versions.lo, api.versions.hi]) {
        const c = await open();
        c.sendFrame(request(api, version, generateBody(api.request.spec, version, rnd, topics)));
        expect(await c.expectClosed(), `${api.name} v${version}`).toEqual([]);
      }
    }
  });

  it('unsupported versions of served APIs close the connection (Produce v0-2 included, though advertised)', async () => {
    const produce = supported.find((k) => k.apiKey === Produce.key)!;
    expect(produce.minVersion).toBe(0); // advertised for librdkafka (KAFKA-18659) ...
    const cases: Array<[number, number]> = [
      [Produce.key, 0], // ... but not accepted
      [Produce.key, 2],
      [Produce.key, Produce.versions.hi + 1],
      [Produce.key, -1],
      [Fetch.key, 3],
      [Fetch.key, Fetch.versions.hi + 1],
      [Metadata.key, Metadata.versions.hi + 1],
      [Metadata.key, 32767],
      [CreateTopics.key, CreateTopics.versions.hi + 1],
    ];
    for (const [key, version] of cases) {
      const c = await open();
      c.sendFrame(Buffer.concat([header(key, version), Buffer.alloc(64)]));
      expect(await c.expectClosed(), `api ${key} v${version}`).toEqual([]);
    }
  });

  it.each([5, 99, 32767, -1])(
    'ApiVersions v%i gets a v0 answer: UNSUPPORTED_VERSION and the API list (KIP-511); the connection stays open',
    async (version) => {
      const c = await open();
      // A newer client's body, which this broker cannot know how to read: it must not try.
      c.sendFrame(Buffer.concat([header(ApiVersions.key, version, 77), Buffer.from('0b736f6d652d636c69656e7403312e3000ff', 'hex')]));
      const o = await c.next();
      expect(o.kind).toBe('frame');
      if (o.kind !== 'frame') return;
      const r = new Reader(o.frame);
      expect(r.int32()).toBe(77); // response header v0: no tagged fields
      const res = ApiVersions.response.decode(r, 0);
      expect(r.remaining).toBe(0);
      expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(res.apiKeys).toEqual(supported);
      expect(res.apiKeys).toContainEqual({ apiKey: ApiVersions.key, minVersion: 0, maxVersion: ApiVersions.versions.hi });
      // The client can now retry with a version both sides speak, on the same connection.
      expect((await apiVersions(c, ApiVersions.versions.hi)).errorCode).toBe(ErrorCode.NONE);
    },
  );

  it.each<[string, () => Buffer]>([
    ['Metadata v1 with an array count of 2^31-1', () => Buffer.concat([header(Metadata.key, 1), Buffer.from('7fffffff', 'hex')])],
    ['Metadata v1 with a string longer than the frame', () => Buffer.concat([header(Metadata.key, 1), Buffer.from('000000017fff6162', 'hex')])],
    ['Metadata v12 whose header claims 5 tagged fields', () => Buffer.concat([header(Metadata.key, 12), Buffer.from('05', 'hex')])],
    ['Metadata v12 with a tagged field overrunning the frame', () => Buffer.concat([header(Metadata.key, 12), Buffer.from('0100ff01', 'hex')])],
    ['Metadata v12 with a 6-byte unsigned varint', () => Buffer.concat([header(Metadata.key, 12), Buffer.from('00ffffffffff01', 'hex')])],
    ['Produce v3 with a 3-byte body', () => Buffer.concat([header(Produce.key, 3), Buffer.from('ffff00', 'hex')])],
    [
      'Produce v9 with records longer than the frame',
      () => Buffer.concat([header(Produce.key, 9), Buffer.from('0000010000753002076672616d6573020000000080808080', 'hex')]),
    ],
    ['Fetch v4 with no body', () => header(Fetch.key, 4)],
    ['CreateTopics v4 with a string length of -5', () => Buffer.concat([header(CreateTopics.key, 4), Buffer.from('00000001fffb', 'hex')])],
    ['ApiVersions v3 with a compact string longer than the frame', () => Buffer.concat([header(ApiVersions.key, 3), Buffer.from('00ff7f', 'hex')])],
    ['a client id longer than the frame', () => new Writer().int16(Metadata.key).int16(1).int32(1).int16(500).raw(Buffer.from('short')).toBuffer()],
    ['a client id of length -2', () => new Writer().int16(Metadata.key).int16(1).int32(1).int16(-2).int32(0).toBuffer()],
  ])('a well-formed header with a body that does not decode closes the connection: %s', async (_, build) => {
    const c = await open();
    const warningsBefore = b.logger.lines.filter((l) => l.level === 'warn').length;
    c.sendFrame(build());
    expect(await c.expectClosed()).toEqual([]);
    // Bad input is the client's problem: a warning saying why, never an error.
    const warnings = b.logger.lines.filter((l) => l.level === 'warn').slice(warningsBefore);
    expect(warnings.some((l) => /malformed|unreadable/.test(l.message))).toBe(true);
  });

  it('a bad frame closes only its own connection, even mid-pipeline on others', async () => {
    const good = await Promise.all(Array.from({ length: 5 }, () => open()));
    const bad = await Promise.all(Array.from({ length: 5 }, () => open()));
    for (let round = 0; round < 20; round++) {
      for (const c of good) c.send(Metadata, 1, { ...metadataAll, topics: [{ topicId: '', name: TOPIC }] });
      if (round === 10) for (const c of bad) c.sendFrame(Buffer.concat([header(Produce.key, 9), Buffer.from('ff', 'hex')]));
    }
    for (const c of bad) await c.expectClosed();
    for (const c of good) {
      for (let round = 0; round < 20; round++) {
        const o = await c.next();
        expect(o.kind).toBe('frame');
      }
      expect(c.isClosed).toBe(false);
    }
  });
});

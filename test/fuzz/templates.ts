/**
 * Well-formed requests for every API the broker serves, at any version, for the fuzzer to mutate.
 * They name only the fuzzer's own topics (never the topic whose data the fuzz test checks), and
 * each is encoded by a Writer that remembers where every length and count field went, so that a
 * mutation can aim at exactly those fields.
 */
import { type Api, writeRequestHeader } from '../../src/protocol/api.js';
import { AlterConfigs } from '../../src/protocol/apis/alter-configs.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { CreatePartitions } from '../../src/protocol/apis/create-partitions.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { DeleteRecords } from '../../src/protocol/apis/delete-records.js';
import { DeleteTopics } from '../../src/protocol/apis/delete-topics.js';
import { DescribeCluster } from '../../src/protocol/apis/describe-cluster.js';
import { DescribeConfigs } from '../../src/protocol/apis/describe-configs.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { IncrementalAlterConfigs } from '../../src/protocol/apis/incremental-alter-configs.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { camelCase, type FieldSpec, type MessageSpec, VersionRange } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';
import type { Random } from './prng.js';

/** Where a length or count was written: `size` bytes at `at`, in one of the protocol's encodings. */
export interface LengthField {
  at: number;
  size: number;
  kind: 'int16' | 'int32' | 'uvarint';
}

function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** A Writer that records the position of every string/bytes length and array count it writes. */
class TracingWriter extends Writer {
  readonly fields: LengthField[] = [];

  override string(v: string | null): this {
    this.fields.push({ at: this.length, size: 2, kind: 'int16' });
    return super.string(v);
  }

  override compactString(v: string | null): this {
    const n = v === null ? 0 : Buffer.byteLength(v) + 1;
    this.fields.push({ at: this.length, size: uvarintSize(n), kind: 'uvarint' });
    return super.compactString(v);
  }

  override bytes(v: Buffer | null): this {
    this.fields.push({ at: this.length, size: 4, kind: 'int32' });
    return super.bytes(v);
  }

  override compactBytes(v: Buffer | null): this {
    this.fields.push({ at: this.length, size: uvarintSize(v === null ? 0 : v.length + 1), kind: 'uvarint' });
    return super.compactBytes(v);
  }

  override arrayLength(len: number, compact: boolean): this {
    this.fields.push(compact ? { at: this.length, size: uvarintSize(len + 1), kind: 'uvarint' } : { at: this.length, size: 4, kind: 'int32' });
    return super.arrayLength(len, compact);
  }
}

export interface EncodedRequest {
  /** Header and body, without the size prefix. */
  bytes: Buffer;
  fields: LengthField[];
}

export function encodeTraced<Req>(api: Api<Req, unknown>, version: number, correlationId: number, body: Req): EncodedRequest {
  const w = new TracingWriter();
  writeRequestHeader(w, { apiKey: api.key, apiVersion: version, correlationId, clientId: 'fuzzer' }, api.requestHeaderVersion(version));
  api.request.encode(w, body, version);
  return { bytes: w.toBuffer(), fields: w.fields };
}

export interface FuzzTopics {
  /** Topics created for the fuzzer, with their ids. */
  names: string[];
  ids: Map<string, string>;
  partitions: number;
  /** Consumer group ids the fuzzer may use. */
  groups: string[];
}

export interface Template {
  api: Api<unknown, unknown>;
  body(rnd: Random, version: number): unknown;
}

/** Every API the broker serves, keyed by API key; the fuzz test fails when one is missing here. */
export function templates(t: FuzzTopics): Map<number, Template> {
  const topic = (rnd: Random): string => rnd.pick(t.names);
  const idOf = (name: string): string => t.ids.get(name) ?? ZERO_UUID;
  const partition = (rnd: Random): number => rnd.int(0, t.partitions - 1);
  const scratch = (rnd: Random): string => `fzc-${rnd.int(0, 40)}`;
  const list: Template[] = [
    {
      api: Produce,
      body: (rnd) => {
        const name = topic(rnd);
        return {
          transactionalId: rnd.chance(0.1) ? 'fuzz-txn' : null,
          acks: rnd.pick([-1, 1, 0]),
          timeoutMs: 1000,
          topicData: [
            {
              name,
              topicId: idOf(name),
              partitionData: [
                {
                  index: partition(rnd),
                  records: encodeRecordBatch({
                    records: Array.from({ length: rnd.int(1, 4) }, (_, i) => ({
                      key: rnd.chance(0.7) ? Buffer.from(`k${i}`) : null,
                      value: rnd.bytes(rnd.int(0, 40)),
                      headers: rnd.chance(0.2) ? [{ key: 'h', value: Buffer.from('v') }] : [],
                    })),
                    timestamp: 1_700_000_000_000n,
                  }),
                },
              ],
            },
          ],
        };
      },
    },
    {
      api: Fetch,
      body: (rnd) => {
        const name = topic(rnd);
        return {
          replicaId: -1,
          maxWaitMs: rnd.int(0, 20),
          minBytes: rnd.pick([0, 1]),
          maxBytes: rnd.pick([1, 1000, 1 << 20]),
          isolationLevel: rnd.pick([0, 1]),
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: name,
              topicId: idOf(name),
              partitions: [
                {
                  partition: partition(rnd),
                  currentLeaderEpoch: -1,
                  fetchOffset: BigInt(rnd.int(0, 5)),
                  lastFetchedEpoch: -1,
                  logStartOffset: -1n,
                  partitionMaxBytes: rnd.pick([1, 4096, 1 << 20]),
                },
              ],
            },
          ],
          forgottenTopicsData: rnd.chance(0.2) ? [{ topic: name, topicId: idOf(name), partitions: [0] }] : [],
          rackId: rnd.chance(0.5) ? '' : 'rack-a',
        };
      },
    },
    {
      api: ListOffsets,
      body: (rnd) => ({
        replicaId: -1,
        isolationLevel: rnd.pick([0, 1]),
        timeoutMs: 1000,
        topics: [
          {
            name: topic(rnd),
            partitions: [
              { partitionIndex: partition(rnd), currentLeaderEpoch: -1, timestamp: rnd.pick([-1n, -2n, -3n, 1_700_000_000_000n]), maxNumOffsets: 1 },
            ],
          },
        ],
      }),
    },
    {
      api: Metadata,
      body: (rnd, version) => ({
        topics: rnd.chance(0.3) && version >= 1 ? null : [{ topicId: ZERO_UUID, name: rnd.chance(0.2) ? `fza-${rnd.int(0, 20)}` : topic(rnd) }],
        allowAutoTopicCreation: rnd.chance(0.5),
        includeClusterAuthorizedOperations: rnd.chance(0.5),
        includeTopicAuthorizedOperations: rnd.chance(0.5),
      }),
    },
    { api: ApiVersions, body: () => ({ clientSoftwareName: 'fuzzer', clientSoftwareVersion: '1.0' }) },
    {
      api: CreateTopics,
      body: (rnd) => ({
        topics: [
          {
            name: scratch(rnd),
            numPartitions: rnd.int(1, 2),
            replicationFactor: rnd.pick([1, -1]),
            assignments: [],
            configs: rnd.chance(0.3) ? [{ name: 'retention.ms', value: '600000' }] : [],
          },
        ],
        timeoutMs: 1000,
        validateOnly: rnd.chance(0.2),
      }),
    },
    {
      api: DeleteTopics,
      body: (rnd) => {
        const name = scratch(rnd);
        return { topicNames: [name], topics: [{ name, topicId: ZERO_UUID }], timeoutMs: 1000 };
      },
    },
    {
      api: DeleteRecords,
      body: (rnd) => ({ topics: [{ name: topic(rnd), partitions: [{ partitionIndex: partition(rnd), offset: BigInt(rnd.int(0, 2)) }] }], timeoutMs: 1000 }),
    },
    {
      api: DescribeConfigs,
      body: (rnd) => ({
        resources: [
          rnd.chance(0.7)
            ? { resourceType: 2, resourceName: topic(rnd), configurationKeys: rnd.chance(0.5) ? null : ['retention.ms'] }
            : { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        includeSynonyms: rnd.chance(0.5),
        includeDocumentation: rnd.chance(0.5),
      }),
    },
    {
      api: AlterConfigs,
      body: (rnd) => ({
        resources: [{ resourceType: 2, resourceName: topic(rnd), configs: [{ name: 'retention.ms', value: String(rnd.int(600_000, 900_000)) }] }],
        validateOnly: rnd.chance(0.3),
      }),
    },
    {
      api: CreatePartitions,
      body: (rnd) => ({ topics: [{ name: scratch(rnd), count: rnd.int(2, 3), assignments: null }], timeoutMs: 1000, validateOnly: rnd.chance(0.3) }),
    },
    {
      api: IncrementalAlterConfigs,
      body: (rnd) => ({
        resources: [
          {
            resourceType: 2,
            resourceName: topic(rnd),
            configs: [{ name: 'retention.bytes', configOperation: rnd.pick([0, 1]), value: String(rnd.int(1 << 20, 1 << 24)) }],
          },
        ],
        validateOnly: rnd.chance(0.3),
      }),
    },
    {
      api: DescribeCluster,
      body: (rnd) => ({ includeClusterAuthorizedOperations: rnd.chance(0.5), endpointType: rnd.pick([1, 1, 2]), includeFencedBrokers: false }),
    },
  ];
  return new Map(list.map((x) => [x.api.key, x]));
}

/**
 * A plausible request body for any API, built from its schema: the right fields for the version,
 * small numbers, the fuzzer's own topic names, ids and groups where a field's name asks for them, and
 * a valid record batch for `records`. It covers APIs without a hand-written template — including
 * ones added to the broker after this file was written.
 */
export function generateBody(spec: MessageSpec, version: number, rnd: Random, t: FuzzTopics): unknown {
  const flexible = VersionRange.parse(spec.flexibleVersions).has(version);
  const structs = new Map((spec.commonStructs ?? []).map((x) => [x.name, x.fields]));
  const topicIds = [...t.ids.values()];

  const scalar = (f: FieldSpec, type: string, path: string): unknown => {
    const name = f.name;
    switch (type) {
      case 'bool':
        return rnd.chance(0.5);
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32': {
        if (/acks/i.test(name)) return rnd.pick([-1, 0, 1]);
        if (/SessionTimeoutMs/.test(name)) return rnd.int(200, 1000);
        if (/RebalanceTimeoutMs/.test(name)) return rnd.int(50, 300);
        if (/MaxWaitMs|TimeoutMs/.test(name)) return rnd.int(0, 20);
        if (/Partition|Index/.test(name)) return rnd.int(0, t.partitions - 1);
        if (/Count|NumPartitions/.test(name)) return rnd.int(1, 3);
        if (/ReplicationFactor/.test(name)) return rnd.pick([1, -1]);
        if (/ResourceType/.test(name)) return rnd.pick([2, 4]);
        if (/Epoch|GenerationId/.test(name)) return rnd.pick([-1, 0, 1]);
        if (/Bytes/.test(name)) return rnd.pick([0, 1, 1024, 1 << 20]);
        return rnd.pick([-1, 0, 1, 2, 100]);
      }
      case 'int64':
        if (/Timestamp/.test(name)) return rnd.pick([-1n, -2n, -3n, 1_700_000_000_000n]);
        if (/ProducerId/.test(name)) return rnd.pick([-1n, 0n, 1000n]);
        return BigInt(rnd.pick([-1, 0, 1, 2, 5]));
      case 'float64':
        return rnd.pick([0, 1.5, -1]);
      case 'uuid':
        return rnd.chance(0.8) && topicIds.length > 0 ? rnd.pick(topicIds) : ZERO_UUID;
      case 'string': {
        if (/GroupId|GroupsNames|Groups$/.test(name) || (/Group/.test(path) && name === 'GroupId')) return rnd.pick(t.groups);
        if (/Topic|^Name$/.test(name) && /Topic/.test(path + name)) return rnd.pick(t.names);
        if (/ResourceName/.test(name)) return rnd.pick(t.names);
        if (/MemberId/.test(name)) return rnd.chance(0.6) ? '' : `member-${rnd.int(0, 3)}`;
        if (/ProtocolType/.test(name)) return 'consumer';
        if (/Protocol|Assignor/.test(path + name)) return 'range';
        if (/Key$/.test(name) && /Coordinator|Key/.test(path)) return rnd.pick(t.groups);
        return rnd.pick(['', 'a', 'fuzz', 'retention.ms', '100000']);
      }
      case 'bytes':
        return rnd.bytes(rnd.int(0, 24));
      case 'records':
        return encodeRecordBatch({
          records: Array.from({ length: rnd.int(1, 3) }, (_, i) => ({ key: Buffer.from(`k${i}`), value: rnd.bytes(rnd.int(0, 24)) })),
          timestamp: 1_700_000_000_000n,
        });
    }
    throw new Error(`no generator for ${type} at ${path}.${name}`);
  };

  const struct = (fields: FieldSpec[], path: string): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const f of fields) {
      if (!VersionRange.parse(f.versions).has(version)) continue;
      const tagged = flexible && f.taggedVersions !== undefined && VersionRange.parse(f.taggedVersions).has(version);
      if (tagged && rnd.chance(0.5)) continue;
      const nullable = VersionRange.parse(f.nullableVersions).has(version);
      if (nullable && rnd.chance(0.1)) {
        o[camelCase(f.name)] = null;
        continue;
      }
      o[camelCase(f.name)] = value(f, `${path}.${f.name}`);
    }
    return o;
  };

  const value = (f: FieldSpec, path: string): unknown => {
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    const one = (): unknown => {
      if (PRIMITIVE.test(base)) return scalar(f, base, path);
      return struct(f.fields ?? structs.get(base) ?? [], path);
    };
    return isArray ? Array.from({ length: rnd.int(0, 2) }, one) : one();
  };

  return struct(spec.fields, spec.name);
}

const PRIMITIVE = /^(int8|int16|uint16|int32|uint32|int64|float64|bool|string|bytes|records|uuid)$/;

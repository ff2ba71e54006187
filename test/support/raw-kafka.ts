/**
 * One TCP connection speaking our own codec (src/protocol) at exactly the version a test names —
 * for checks no client library exposes, such as how long a Fetch long poll really waits or the exact
 * error code of one partition.
 */
import { connect, type Socket } from 'node:net';
import { type Api, decodeResponse, encodeRequest } from '../../src/protocol/api.js';
import { Fetch, type FetchPartitionData } from '../../src/protocol/apis/fetch.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { decodeRecords, iterateBatches } from '../../src/protocol/record-batch.js';

export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

export class RawKafka {
  private nextId = 1;
  private buffered = Buffer.alloc(0);
  private readonly waiting = new Map<number, (frame: Buffer) => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const frame = this.buffered.subarray(4, 4 + this.buffered.readInt32BE(0));
        this.buffered = this.buffered.subarray(4 + frame.length);
        const id = frame.readInt32BE(0);
        this.waiting.get(id)?.(Buffer.from(frame));
        this.waiting.delete(id);
      }
    });
  }

  static connect(bootstrap: string): Promise<RawKafka> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(port) }, () => resolve(new RawKafka(socket)));
      socket.once('error', reject);
    });
  }

  send<Req, Res>(api: Api<Req, Res>, version: number, body: Req, timeoutMs = 30_000): Promise<Res> {
    const id = this.nextId++;
    const message = encodeRequest(api as Api<Req, unknown>, version, id, 'skein-raw-test', body);
    const size = Buffer.alloc(4);
    size.writeInt32BE(message.length);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${api.name} v${version} got no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        resolve(decodeResponse(api, version, frame).body);
      });
      this.socket.write(Buffer.concat([size, message]));
    });
  }

  /** Fetch v11 (topics by name) of one partition. */
  async fetchPartition(
    topic: string,
    partition: number,
    fetchOffset: bigint,
    opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
  ): Promise<FetchPartitionData> {
    const res = await this.send(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 0,
      minBytes: opts.minBytes ?? 1,
      maxBytes: opts.maxBytes ?? 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: ZERO_UUID,
          partitions: [
            { partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: opts.maxBytes ?? 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    return res.responses[0].partitions[0];
  }

  /**
   * Every record of a partition from `from` up to the high watermark, decoded with our own codec
   * (records before `from` in the first batch are skipped, as a consumer does).
   */
  async readAll(topic: string, partition: number, from: number): Promise<FetchedRecord[]> {
    const out: FetchedRecord[] = [];
    let next = BigInt(from);
    for (;;) {
      const p = await this.fetchPartition(topic, partition, next);
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch ${topic}-${partition} at ${next}: ${errorName(p.errorCode)}`);
      const records = p.records === null ? Buffer.alloc(0) : Buffer.concat(Array.isArray(p.records) ? p.records : [p.records]);
      for (const batch of iterateBatches(records)) {
        for (const r of decodeRecords(batch)) {
          if (r.offset < next) continue;
          out.push({ offset: Number(r.offset), timestamp: Number(r.timestamp), key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
          next = r.offset + 1n;
        }
      }
      if (next >= p.highWatermark) return out;
    }
  }

  /** ListOffsets v7 of one partition at `timestamp` (-1 latest, -2 earliest, or a time). */
  async listOffset(topic: string, partition: number, timestamp: bigint): Promise<{ errorCode: number; offset: bigint; timestamp: bigint }> {
    const res = await this.send(ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 10_000,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    });
    const p = res.topics[0].partitions[0];
    return { errorCode: p.errorCode, offset: p.offset, timestamp: p.timestamp };
  }

  close(): void {
    this.socket.destroy();
  }
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatchHeader, setBaseOffset } from '../../src/protocol/batch-header.js';
import { encodeControlBatch } from '../../src/protocol/control-record.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { removeDir, tempDir } from '../support/broker.js';
import { runCli } from './run-cli.js';

const T = 1_700_000_000_000n;
const BASE = 100n;
const NAME = '00000000000000000100';
let dir: string;
let batches: Buffer[];

beforeAll(() => {
  dir = tempDir('skein-cli-dump-');
  const data = encodeRecordBatch({
    records: [
      { key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [{ key: 'trace', value: Buffer.from('1') }] },
      { key: null, value: Buffer.from('world'), timestamp: T + 1n },
    ],
    timestamp: T,
    producerId: 2000n,
    producerEpoch: 3,
    baseSequence: 0,
    transactional: true,
  });
  setBaseOffset(data, BASE);
  const marker = encodeControlBatch({ producerId: 2000n, producerEpoch: 3, commit: true, coordinatorEpoch: 5, timestamp: T + 2n, baseOffset: BASE + 2n });
  const gz = encodeRecordBatch({ records: [{ value: Buffer.from('zipped') }], timestamp: T + 3n, compression: 1 });
  setBaseOffset(gz, BASE + 3n);
  batches = [data, marker, gz];
  const log = Buffer.concat([...batches, batches[0].subarray(0, 30)]); // a torn write at the end
  writeFileSync(join(dir, `${NAME}.log`), log);

  const index = Buffer.alloc(8 + 3);
  index.writeInt32BE(3, 0); // offset 103
  index.writeInt32BE(data.length + marker.length, 4);
  writeFileSync(join(dir, `${NAME}.index`), index); // 3 stray bytes at the end
  const timeindex = Buffer.alloc(24);
  timeindex.writeBigInt64BE(T + 1n, 0);
  timeindex.writeInt32BE(1, 8);
  timeindex.writeBigInt64BE(T + 3n, 12);
  timeindex.writeInt32BE(3, 20);
  writeFileSync(join(dir, `${NAME}.timeindex`), timeindex);
});
afterAll(() => removeDir(dir));

describe('skein dump-log', () => {
  it('prints every batch of a segment and reports a torn tail', async () => {
    const file = join(dir, `${NAME}.log`);
    const r = await runCli(['dump-log', '--files', file]);
    expect(r.code).toBe(0);
    const [data, marker, gz] = batches.map((b) => readBatchHeader(b));
    expect(r.stdout.split('\n')).toEqual([
      `Dumping ${file}`,
      'Log starting offset: 100',
      'baseOffset: 100 lastOffset: 101 count: 2 baseSequence: 0 lastSequence: 1 producerId: 2000 producerEpoch: 3 partitionLeaderEpoch: -1 ' +
        `isTransactional: true isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: ${T + 1n} size: ${batches[0].length} ` +
        `magic: 2 compresscodec: none crc: ${data.crc} isvalid: true`,
      'baseOffset: 102 lastOffset: 102 count: 1 baseSequence: -1 lastSequence: -1 producerId: 2000 producerEpoch: 3 partitionLeaderEpoch: -1 ' +
        `isTransactional: true isControl: true deleteHorizonMs: OptionalLong.empty position: ${batches[0].length} CreateTime: ${T + 2n} ` +
        `size: ${batches[1].length} magic: 2 compresscodec: none crc: ${marker.crc} isvalid: true`,
      'baseOffset: 103 lastOffset: 103 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: -1 ' +
        `isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: ${batches[0].length + batches[1].length} ` +
        `CreateTime: ${T + 3n} size: ${batches[2].length} magic: 2 compresscodec: gzip crc: ${gz.crc} isvalid: true`,
      `Found 30 invalid bytes at the end of ${NAME}.log`,
      '',
    ]);
  });

  it('prints records, transaction markers and decompressed payloads with --print-data-log', async () => {
    const r = await runCli(['dump-log', '--print-data-log', '--files', join(dir, `${NAME}.log`)]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('|'))).toEqual([
      `| offset: 100 CreateTime: ${T} keySize: 2 valueSize: 5 sequence: 0 headerKeys: [trace] key: k1 payload: hello`,
      `| offset: 101 CreateTime: ${T + 1n} keySize: -1 valueSize: 5 sequence: 1 headerKeys: [] payload: world`,
      `| offset: 102 CreateTime: ${T + 2n} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5`,
      `| offset: 103 CreateTime: ${T + 3n} keySize: -1 valueSize: 6 sequence: -1 headerKeys: [] payload: zipped`,
    ]);
    const deep = await runCli(['dump-log', '--deep-iteration', '--files', join(dir, `${NAME}.log`)]);
    expect(deep.stdout).toMatch(/^\| offset: 100 CreateTime: \d+ keySize: 2 valueSize: 5 sequence: 0 headerKeys: \[trace\]$/m);
    expect(deep.stdout).not.toMatch(/payload/);
  });

  it('marks a batch whose CRC does not match and carries on', async () => {
    const log = Buffer.concat(batches);
    log[batches[0].length - 1] ^= 0xff; // last byte of the first batch's records
    const file = join(dir, '00000000000000000000.log');
    writeFileSync(file, log);
    const r = await runCli(['dump-log', '--files', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('baseOffset'));
    expect(lines.map((l) => /isvalid: (\w+)$/.exec(l)?.[1])).toEqual(['false', 'true', 'true']);
    expect(r.stdout).not.toMatch(/invalid bytes/);
  });

  it('stops at a length that cannot be a batch and counts the rest as invalid', async () => {
    const garbage = Buffer.alloc(40, 0xff); // length field -1
    const file = join(dir, '00000000000000000007.log');
    writeFileSync(file, Buffer.concat([batches[2], garbage]));
    const r = await runCli(['dump-log', '--files', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Log starting offset: 7\n/);
    expect(r.stdout).toMatch(/isvalid: true\nFound 40 invalid bytes at the end of 00000000000000000007.log\n$/);
  });

  it('prints the offset and time indexes with absolute offsets', async () => {
    const index = join(dir, `${NAME}.index`);
    const timeindex = join(dir, `${NAME}.timeindex`);
    const r = await runCli(['dump-log', '--files', `${index},${timeindex}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `Dumping ${index}`,
        `offset: 103 position: ${batches[0].length + batches[1].length}`,
        `Found 3 invalid bytes at the end of ${NAME}.index`,
        `Dumping ${timeindex}`,
        `timestamp: ${T + 1n} offset: 101`,
        `timestamp: ${T + 3n} offset: 103`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
  });

  it('reports index entries that do not point at their batch', async () => {
    const index = Buffer.alloc(8);
    index.writeInt32BE(2, 0); // offset 102, but position 0 holds offsets 100-101
    index.writeInt32BE(0, 4);
    const sub = join(dir, 'mismatch');
    mkdirSync(sub);
    writeFileSync(join(sub, `${NAME}.log`), Buffer.concat(batches));
    const file = join(sub, `${NAME}.index`);
    writeFileSync(file, index);
    const r = await runCli(['dump-log', '--files', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/offset: 102 position: 0\n/);
    expect(r.stderr).toBe(`Mismatches in :${file}\n  Index offset: 102, log offset: 101\n`);
  });

  it('reports files it cannot read or does not know, and exits 1 when one could not be read', async () => {
    const missing = join(dir, 'nope.log');
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'x');
    const r = await runCli(['dump-log', '--files', `${missing},${other}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`Dumping ${missing}\nDumping ${other}\n`);
    expect(r.stderr).toBe(`Cannot read ${missing}: no such file\nIgnoring unknown file ${other}\n`);
    const noFiles = await runCli(['dump-log']);
    expect(noFiles.code).toBe(1);
    expect(noFiles.stderr).toMatch(/required option '--files <file,...>' not specified/);
  });
});

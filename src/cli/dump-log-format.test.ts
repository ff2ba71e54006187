import { describe, expect, it } from 'vitest';
import { Attr, readBatchHeader, setBaseOffset, setLogAppendTime } from '../protocol/batch-header.js';
import { encodeControlBatch } from '../protocol/control-record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../protocol/record-batch.js';
import { formatBatchLine, formatRecordLine, incrementSequence } from './dump-log-format.js';

const T = 1_700_000_000_000n;

describe('formatBatchLine', () => {
  it('prints every header field in kafka-dump-log order', () => {
    const batch = encodeRecordBatch({
      records: [
        { key: Buffer.from('k'), value: Buffer.from('hello') },
        { value: Buffer.from('x'), timestamp: T + 5n },
      ],
      timestamp: T,
      producerId: 7000n,
      producerEpoch: 3,
      baseSequence: 10,
      partitionLeaderEpoch: 4,
    });
    setBaseOffset(batch, 42n);
    const h = readBatchHeader(batch);
    expect(formatBatchLine(h, 99, true)).toBe(
      `baseOffset: 42 lastOffset: 43 count: 2 baseSequence: 10 lastSequence: 11 producerId: 7000 producerEpoch: 3 ` +
        `partitionLeaderEpoch: 4 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty ` +
        `position: 99 CreateTime: ${T + 5n} size: ${batch.length} magic: 2 compresscodec: none crc: ${h.crc} isvalid: true`,
    );
  });

  it('names LogAppendTime, the codec, the delete horizon and a bad CRC', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('v') }], timestamp: T, compression: 1 });
    setLogAppendTime(batch, T + 1000n);
    batch.writeInt16BE(batch.readInt16BE(21) | Attr.deleteHorizon, 21);
    const line = formatBatchLine(readBatchHeader(batch), 0, false);
    expect(line).toContain(`deleteHorizonMs: OptionalLong[${T}]`);
    expect(line).toContain(`LogAppendTime: ${T + 1000n}`);
    expect(line).toContain('compresscodec: gzip');
    expect(line).toMatch(/isvalid: false$/);
  });
});

describe('formatRecordLine', () => {
  it('prints metadata, and key and payload only with printData', () => {
    const batch = encodeRecordBatch({
      records: [
        {
          key: Buffer.from('user-1'),
          value: Buffer.from('{"a":1}'),
          headers: [
            { key: 'h1', value: null },
            { key: 'h2', value: Buffer.from('x') },
          ],
        },
      ],
      timestamp: T,
      producerId: 1n,
      producerEpoch: 0,
      baseSequence: 5,
    });
    const { header, records } = decodeRecordBatch(batch);
    const meta = `| offset: 0 CreateTime: ${T} keySize: 6 valueSize: 7 sequence: 5 headerKeys: [h1,h2]`;
    expect(formatRecordLine(header, records[0], false)).toBe(meta);
    expect(formatRecordLine(header, records[0], true)).toBe(`${meta} key: user-1 payload: {"a":1}`);
  });

  it('leaves out a null key and a null payload', () => {
    const { header, records } = decodeRecordBatch(encodeRecordBatch({ records: [{ value: null }], timestamp: T }));
    expect(formatRecordLine(header, records[0], true)).toBe(`| offset: 0 CreateTime: ${T} keySize: -1 valueSize: -1 sequence: -1 headerKeys: []`);
  });

  it('prints the transaction marker of a control record', () => {
    const batch = encodeControlBatch({ producerId: 2000n, producerEpoch: 3, commit: true, coordinatorEpoch: 7, timestamp: T, baseOffset: 6n });
    const { header, records } = decodeRecordBatch(batch);
    expect(formatBatchLine(header, 0, true)).toContain('isTransactional: true isControl: true');
    expect(formatRecordLine(header, records[0], true)).toBe(
      `| offset: 6 CreateTime: ${T} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 7`,
    );
    const abort = decodeRecordBatch(encodeControlBatch({ producerId: 1n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: T, baseOffset: 0n }));
    expect(formatRecordLine(abort.header, abort.records[0], false)).toMatch(/endTxnMarker: ABORT coordinatorEpoch: 0$/);
  });
});

describe('incrementSequence', () => {
  it('wraps past Int32.MAX_VALUE to 0 and keeps -1 as no sequence', () => {
    expect(incrementSequence(-1, 3)).toBe(-1);
    expect(incrementSequence(5, 3)).toBe(8);
    expect(incrementSequence(2 ** 31 - 1, 1)).toBe(0);
    expect(incrementSequence(2 ** 31 - 2, 3)).toBe(1);
  });
});

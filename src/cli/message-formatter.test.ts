import { describe, expect, it } from 'vitest';
import { type ConsumedRecord, formatRecord, messageFormatterConfig } from './message-formatter.js';

const record: ConsumedRecord = {
  partition: 2,
  offset: 5n,
  timestamp: 1_700_000_000_000n,
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [],
};
const show = (props: string[], r: ConsumedRecord = record) => formatRecord(r, messageFormatterConfig(props)).toString();

describe('formatRecord', () => {
  it('prints only the value by default', () => {
    expect(show([])).toBe('v\n');
  });

  it('prints the fields asked for in Kafka order, separated by key.separator', () => {
    const all = ['print.key=true', 'print.partition=true', 'print.offset=true', 'print.timestamp=true'];
    expect(show(all)).toBe('CreateTime:1700000000000\tPartition:2\tOffset:5\tk\tv\n');
    expect(show([...all, 'key.separator= | '])).toBe('CreateTime:1700000000000 | Partition:2 | Offset:5 | k | v\n');
    expect(show(['print.offset=TRUE', 'print.value=false'])).toBe('Offset:5\n');
    expect(show(['print.timestamp=true'], { ...record, timestampType: 'LogAppendTime' })).toBe('LogAppendTime:1700000000000\tv\n');
  });

  it('prints null keys and values as null.literal, and headers', () => {
    const r = {
      ...record,
      key: null,
      value: null,
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: null },
      ],
    };
    expect(show(['print.key=true', 'print.headers=true'], r)).toBe('a:1,b:null\tnull\tnull\n');
    expect(show(['print.key=true', 'null.literal=<nil>', 'print.headers=true'], { ...r, headers: [] })).toBe('NO_HEADERS\t<nil>\t<nil>\n');
  });

  it('refuses an unknown or malformed property', () => {
    expect(() => messageFormatterConfig(['print.keys=true'])).toThrow(/^Unknown --property print.keys; the console consumer understands print.timestamp, /);
    expect(() => messageFormatterConfig(['print.key'])).toThrow(/expected key=value/);
  });
});

import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';
// kafkajs's own implementation, an independent one to compare against.
import kafkajsMurmur2 from 'kafkajs/src/producer/partitioners/default/murmur2.js';

describe('murmur2', () => {
  it("matches the values Kafka's UtilsTest checks", () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of cases) expect(murmur2(Buffer.from(s))).toBe(h);
  });

  it('agrees with kafkajs on partitions for many keys and partition counts', () => {
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`);
      for (const n of [1, 3, 7, 50]) {
        expect(partitionForKey(key, n)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % n);
      }
    }
  });
});

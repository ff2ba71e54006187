import { describe, expect, it } from 'vitest';
import { SendQueue } from './send-queue.js';

describe('SendQueue', () => {
  it('sends the first item at once and batches what arrives while a send is in flight, in order', async () => {
    const sent: number[][] = [];
    let release!: () => void;
    const q = new SendQueue<number>(async (batch) => {
      sent.push(batch);
      if (sent.length === 1) await new Promise<void>((r) => (release = r));
    });
    q.push(1);
    expect(sent).toEqual([[1]]);
    q.push(2);
    q.push(3);
    release();
    await q.drain();
    expect(sent).toEqual([[1], [2, 3]]);
  });

  it('caps batches at maxBatch', async () => {
    const sent: number[][] = [];
    const q = new SendQueue<number>(async (batch) => void sent.push(batch), 2);
    for (let i = 0; i < 5; i++) q.push(i);
    await q.drain();
    expect(sent.flat()).toEqual([0, 1, 2, 3, 4]);
    expect(Math.max(...sent.map((b) => b.length))).toBeLessThanOrEqual(2);
  });

  it('stops after the first failure and reports it', async () => {
    const sent: string[][] = [];
    const q = new SendQueue<string>(async (batch) => {
      sent.push(batch);
      throw new Error('broker says no');
    });
    q.push('a');
    q.push('b');
    await q.drain();
    q.push('c');
    await q.drain();
    expect(sent).toEqual([['a']]);
    expect(q.failure?.message).toBe('broker says no');
  });

  it('drain resolves at once when nothing was pushed', async () => {
    await new SendQueue<number>(async () => undefined).drain();
  });
});

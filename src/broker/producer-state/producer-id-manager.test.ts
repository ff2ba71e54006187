import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, removeDir } from '../log/testing.js';
import { PRODUCER_ID_BLOCK_FILE, ProducerIdManager } from './producer-id-manager.js';

describe('ProducerIdManager', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTmpDir('skein-pid-');
  });
  afterEach(() => removeDir(dir));

  const recorded = () => fs.readFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8');

  it('hands out consecutive ids, recording the end of each block before its first id', () => {
    const m = ProducerIdManager.open(dir, { blockSize: 10 });
    expect(fs.existsSync(path.join(dir, PRODUCER_ID_BLOCK_FILE))).toBe(false);
    const ids = Array.from({ length: 25 }, () => m.generateProducerId());
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)));
    expect(recorded()).toBe('0\n30\n');
  });

  it('never hands out an id twice across restarts: it resumes at the recorded block end', () => {
    const seen = new Set<bigint>();
    for (let restart = 0; restart < 4; restart++) {
      const m = ProducerIdManager.open(dir);
      for (let i = 0; i < 3; i++) {
        const id = m.generateProducerId();
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect([...seen]).toEqual([0n, 1n, 2n, 1000n, 1001n, 1002n, 2000n, 2001n, 2002n, 3000n, 3001n, 3002n]);
    expect(ProducerIdManager.open(dir).nextProducerId).toBe(4000n);
  });

  it('refuses to start from an unreadable file rather than reuse ids', () => {
    fs.writeFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'garbage');
    expect(() => ProducerIdManager.open(dir)).toThrowError(/refusing to reuse producer ids/);
  });
});

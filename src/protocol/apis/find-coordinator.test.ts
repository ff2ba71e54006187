import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { FindCoordinator, type FindCoordinatorRequest, type FindCoordinatorResponse } from './find-coordinator.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/findCoordinator/${path}.js`);

const encode = <T>(codec: MessageCodec<T>, body: T, v: number): Buffer => {
  const w = new Writer();
  codec.encode(w, body, v);
  return w.toBuffer();
};
const decode = <T>(codec: MessageCodec<T>, buf: Buffer, v: number): T => {
  const r = new Reader(buf);
  const out = codec.decode(r, v);
  expect(r.remaining).toBe(0);
  return out;
};

const full: FindCoordinatorRequest = { key: 'app-1', keyType: 1, coordinatorKeys: ['app-1', 'txn-1'] };

const requestAt = (v: number): FindCoordinatorRequest => ({
  key: v <= 3 ? 'app-1' : '',
  keyType: v >= 1 ? 1 : 0,
  coordinatorKeys: v >= 4 ? ['app-1', 'txn-1'] : [],
});

const coordinators = [
  { key: 'app-1', nodeId: 1, host: 'broker-1', port: 9092, errorCode: 0, errorMessage: null },
  { key: 'txn-1', nodeId: -1, host: '', port: -1, errorCode: 15, errorMessage: 'not available' },
];

const fullResponse: FindCoordinatorResponse = {
  throttleTimeMs: 25,
  errorCode: 15,
  errorMessage: 'loading',
  nodeId: 1,
  host: 'broker-1',
  port: 9092,
  coordinators,
};

const responseAt = (v: number): FindCoordinatorResponse => ({
  throttleTimeMs: v >= 1 ? 25 : 0,
  errorCode: v <= 3 ? 15 : 0,
  errorMessage: v >= 1 && v <= 3 ? 'loading' : '',
  nodeId: v <= 3 ? 1 : 0,
  host: v <= 3 ? 'broker-1' : '',
  port: v <= 3 ? 9092 : 0,
  coordinators: v >= 4 ? coordinators : [],
});

describe('FindCoordinator', () => {
  it('spans v0-6, flexible from v3', () => {
    expect(FindCoordinator.key).toBe(10);
    expect([FindCoordinator.versions.lo, FindCoordinator.versions.hi]).toEqual([0, 6]);
    for (let v = 0; v <= 6; v++) expect(FindCoordinator.requestHeaderVersion(v)).toBe(v >= 3 ? 2 : 1);
  });

  for (let v = 0; v <= 6; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(FindCoordinator.request, encode(FindCoordinator.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(FindCoordinator.request, requestAt(v), v)).toEqual(encode(FindCoordinator.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(FindCoordinator.response, encode(FindCoordinator.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('round-trips a null ErrorMessage in v1-3', () => {
    for (let v = 1; v <= 3; v++) {
      const body = { ...responseAt(v), errorMessage: null };
      expect(decode(FindCoordinator.response, encode(FindCoordinator.response, body, v), v)).toEqual(body);
    }
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = (v: number) => (v === 0 ? { groupId: 'app-1' } : { coordinatorKey: 'app-1', coordinatorType: 1 });

    for (let v = 0; v <= 2; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs(v));
        expect([req.apiKey, req.apiVersion]).toEqual([10, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(FindCoordinator.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(FindCoordinator.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(FindCoordinator.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(15);
        expect(decoded.coordinator).toEqual({ nodeId: 1, host: 'broker-1', port: 9092 });
        if (v >= 1) expect(decoded.errorMessage).toBe('loading');
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v === 2) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }
  });
});

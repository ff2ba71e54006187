import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Reader } from '../reader.js';
import type { MessageCodec } from '../schema.js';
import { Writer } from '../writer.js';
import { Heartbeat, type HeartbeatRequest, type HeartbeatResponse } from './heartbeat.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/heartbeat/${path}.js`);

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

const full: HeartbeatRequest = { groupId: 'app-1', generationId: 3, memberId: 'member-1', groupInstanceId: 'instance-1' };
const requestAt = (v: number): HeartbeatRequest => ({ ...full, groupInstanceId: v >= 3 ? 'instance-1' : null });

const fullResponse: HeartbeatResponse = { throttleTimeMs: 25, errorCode: 27 };
const responseAt = (v: number): HeartbeatResponse => ({ throttleTimeMs: v >= 1 ? 25 : 0, errorCode: 27 });

describe('Heartbeat', () => {
  it('spans v0-4, flexible from v4', () => {
    expect(Heartbeat.key).toBe(12);
    expect([Heartbeat.versions.lo, Heartbeat.versions.hi]).toEqual([0, 4]);
    for (let v = 0; v <= 4; v++) expect(Heartbeat.requestHeaderVersion(v)).toBe(v >= 4 ? 2 : 1);
  });

  for (let v = 0; v <= 4; v++) {
    it(`round-trips the request at v${v}`, () => {
      expect(decode(Heartbeat.request, encode(Heartbeat.request, full, v), v)).toEqual(requestAt(v));
      expect(encode(Heartbeat.request, requestAt(v), v)).toEqual(encode(Heartbeat.request, full, v));
    });

    it(`round-trips the response at v${v}`, () => {
      expect(decode(Heartbeat.response, encode(Heartbeat.response, fullResponse, v), v)).toEqual(responseAt(v));
    });
  }

  it('round-trips a null GroupInstanceId (v3+)', () => {
    for (const v of [3, 4]) {
      const body = { ...full, groupInstanceId: null };
      expect(decode(Heartbeat.request, encode(Heartbeat.request, body, v), v)).toEqual(body);
    }
  });

  describe('matches what kafkajs 2.2.4 sends', () => {
    const kafkajsArgs = { groupId: 'app-1', groupGenerationId: 3, memberId: 'member-1', groupInstanceId: 'instance-1' };

    for (let v = 0; v <= 3; v++) {
      it(`v${v} request: same bytes, and decodes to the same values`, async () => {
        const req = kafkajs(`v${v}/request`)(kafkajsArgs);
        expect([req.apiKey, req.apiVersion]).toEqual([12, v]);
        const theirs: Buffer = (await req.encode()).buffer;
        expect(encode(Heartbeat.request, requestAt(v), v)).toEqual(theirs);
        expect(decode(Heartbeat.request, theirs, v)).toEqual(requestAt(v));
      });

      it(`v${v} response: kafkajs reads what we write`, async () => {
        const decoded = await kafkajs(`v${v}/response`).decode(encode(Heartbeat.response, responseAt(v), v));
        expect(decoded.errorCode).toBe(27);
        if (v === 1) expect(decoded.throttleTime).toBe(25);
        if (v >= 2) expect(decoded.clientSideThrottleTime).toBe(25);
      });
    }

    it('v3 request without a static member id: kafkajs sends null', async () => {
      const theirs: Buffer = (await kafkajs('v3/request')({ ...kafkajsArgs, groupInstanceId: null }).encode()).buffer;
      expect(decode(Heartbeat.request, theirs, 3)).toEqual({ ...full, groupInstanceId: null });
    });
  });
});

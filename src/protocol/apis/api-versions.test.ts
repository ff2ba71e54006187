import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest, readRequestHeader, skipTaggedFields, writeResponseHeader } from '../api.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import { ApiVersions, type ApiVersionsResponse } from './api-versions.js';

const body: ApiVersionsResponse = {
  errorCode: 0,
  apiKeys: [
    { apiKey: 0, minVersion: 3, maxVersion: 11 },
    { apiKey: 18, minVersion: 0, maxVersion: 4 },
  ],
  throttleTimeMs: 0,
};

describe('ApiVersions', () => {
  for (let v = 0; v <= 4; v++) {
    it(`round-trips the response at v${v}`, () => {
      const w = new Writer();
      writeResponseHeader(w, 7, ApiVersions.responseHeaderVersion(v));
      ApiVersions.response.encode(w, body, v);
      const { correlationId, body: decoded } = decodeResponse(ApiVersions, v, w.toBuffer());
      expect(correlationId).toBe(7);
      expect(decoded.apiKeys).toEqual(body.apiKeys);
      expect(decoded.throttleTimeMs).toBe(v >= 1 ? 0 : 0);
    });
  }

  it('encodes a v3 request with compact strings and header v2', () => {
    const buf = encodeRequest(ApiVersions, 3, 1, 'cli', { clientSoftwareName: 'skein', clientSoftwareVersion: '1.0' });
    const r = new Reader(buf);
    expect(readRequestHeader(r)).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'cli' });
    skipTaggedFields(r);
    expect(ApiVersions.request.decode(r, 3)).toEqual({ clientSoftwareName: 'skein', clientSoftwareVersion: '1.0' });
    expect(r.remaining).toBe(0);
  });

  it('writes the tagged FinalizedFeaturesEpoch only when it differs from its default', () => {
    const plain = new Writer();
    ApiVersions.response.encode(plain, body, 3);
    const tagged = new Writer();
    ApiVersions.response.encode(tagged, { ...body, finalizedFeaturesEpoch: 5n }, 3);
    expect(tagged.length).toBeGreaterThan(plain.length);
    expect(ApiVersions.response.decode(new Reader(tagged.toBuffer()), 3).finalizedFeaturesEpoch).toBe(5n);
    expect(ApiVersions.response.decode(new Reader(plain.toBuffer()), 3).finalizedFeaturesEpoch).toBe(-1n);
  });
});

/**
 * An API: its key, its request and response schemas, and the header versions each message version
 * travels with. Request header v2 / response header v1 go with flexible versions; ApiVersions'
 * response always uses header v0 so that a client can read it whatever version it asked for.
 */
import { Reader } from './reader.js';
import { compileMessage, type MessageCodec, type MessageSpec, VersionRange } from './schema.js';
import { Writer } from './writer.js';

export interface Api<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  /** Oldest and newest version this codebase encodes and decodes. */
  readonly versions: VersionRange;
  requestHeaderVersion(version: number): 1 | 2;
  responseHeaderVersion(version: number): 0 | 1;
}

export function defineApi<Req, Res>(request: MessageSpec, response: MessageSpec): Api<Req, Res> {
  if (request.apiKey !== response.apiKey) throw new Error(`${request.name} and ${response.name} disagree on api key`);
  const req = compileMessage<Req>(request);
  const res = compileMessage<Res>(response);
  const alwaysHeaderV0 = request.apiKey === 18; // ApiVersions
  return {
    key: request.apiKey,
    name: request.name.replace(/Request$/, ''),
    request: req,
    response: res,
    versions: req.versions,
    requestHeaderVersion: (v) => (req.flexible.has(v) ? 2 : 1),
    responseHeaderVersion: (v) => (!alwaysHeaderV0 && res.flexible.has(v) ? 1 : 0),
  };
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part of every request header (v1: key, version, correlation id, client id). */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Skips the tagged fields that header v2 adds after the client id. */
export function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: 1 | 2): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).string(h.clientId);
  if (headerVersion === 2) w.uvarint(0);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion === 1) w.uvarint(0);
}

/** Encodes a whole request (header and body, no size prefix); used by tests and the CLI's own client. */
export function encodeRequest<Req>(api: Api<Req, unknown>, version: number, correlationId: number, clientId: string | null, body: Req): Buffer {
  const w = new Writer();
  writeRequestHeader(w, { apiKey: api.key, apiVersion: version, correlationId, clientId }, api.requestHeaderVersion(version));
  api.request.encode(w, body, version);
  return w.toBuffer();
}

/** Decodes a response body (after its size prefix), returning correlation id and body. */
export function decodeResponse<Res>(api: Api<unknown, Res>, version: number, buf: Buffer): { correlationId: number; body: Res } {
  const r = new Reader(buf);
  const correlationId = r.int32();
  if (api.responseHeaderVersion(version) === 1) skipTaggedFields(r);
  return { correlationId, body: api.response.decode(r, version) };
}

/**
 * Test support for the API codecs, used only by `*.test.ts` files: a body round trip, and encoders
 * and decoders borrowed from the installed kafkajs so our bytes can be compared with what a real
 * client sends and reads. kafkajs is loaded lazily, by path, so nothing here runs in production.
 */
import { KafkaError } from './errors.js';
import { createRequire } from 'node:module';
import { Reader } from './reader.js';
import type { MessageCodec } from './schema.js';
import { Writer } from './writer.js';

export interface RoundTrip<T> {
  /** the body as first encoded */
  bytes: Buffer;
  decoded: T;
  /** bytes left unread after decoding; 0 when encoder and decoder agree on the layout */
  left: number;
  /** the decoded value encoded again */
  reencoded: Buffer;
}

export function encodeBody<T>(codec: MessageCodec<T>, value: T, version: number): Buffer {
  const w = new Writer();
  codec.encode(w, value, version);
  return w.toBuffer();
}

export function decodeBody<T>(codec: MessageCodec<T>, bytes: Buffer, version: number): { value: T; left: number } {
  const r = new Reader(bytes);
  const value = codec.decode(r, version);
  return { value, left: r.remaining };
}

export function roundTrip<T>(codec: MessageCodec<T>, value: T, version: number): RoundTrip<T> {
  const bytes = encodeBody(codec, value, version);
  const { value: decoded, left } = decodeBody(codec, bytes, version);
  return { bytes, decoded, left, reencoded: encodeBody(codec, decoded, version) };
}

const requireFromHere = createRequire(import.meta.url);

interface KafkajsRequest {
  encode(): Promise<{ buffer: Buffer }>;
}

/** The request body (no header) kafkajs encodes for `api` (its folder name, e.g. "listOffsets") at `version`. */
export async function kafkajsRequestBody(api: string, version: number, args: Record<string, unknown>): Promise<Buffer> {
  const build = requireFromHere(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`) as (a: unknown) => KafkajsRequest;
  const encoder = await build(args).encode();
  return encoder.buffer;
}

/** kafkajs's decoding of a response body (no header), before it turns error codes into exceptions. */
export async function kafkajsDecodeResponse(api: string, version: number, body: Buffer): Promise<Record<string, unknown>> {
  const { decode } = requireFromHere(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`) as {
    decode(b: Buffer): Promise<Record<string, unknown>>;
  };
  return decode(body);
}

/** `value` from version `from` on, `otherwise` before it: builds the expected object at a version. */
export function since<V>(version: number, from: number, value: V, otherwise: V): V {
  return version >= from ? value : otherwise;
}

/** The Kafka error code `fn` throws (as a KafkaError), or undefined when it returns. */
export function errorCodeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  return undefined;
}

/** The Kafka error code `fn` rejects with (as a KafkaError), or undefined when it resolves. */
export async function errorCodeOfAsync(fn: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  return undefined;
}

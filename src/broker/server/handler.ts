/**
 * What a handler is: the API it serves, the versions it accepts, and a function from a decoded
 * request to a response. ApiVersions answers from the registry, so it can never advertise an API
 * or a version that has no handler.
 */
import type { Api, RequestHeader } from '../../protocol/api.js';

export interface RequestContext {
  header: RequestHeader;
  /** Remote address of the client, for DescribeGroups' client host and logs. */
  clientHost: string;
  connectionId: string;
  listenerName: string;
  /**
   * A buffer of `size` bytes for data the response will carry (Fetch's records), from the broker's
   * pool of large buffers: it goes back to the pool once the response has been written to the
   * socket, so nothing may keep it past the response. Absent where there is no pool (tests).
   */
  responseBuffer?(size: number): Buffer;
}

export interface Handler<Req = unknown, Res = unknown> {
  readonly api: Api<Req, Res>;
  /** Versions this broker accepts; a subrange of what the codec knows. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** What ApiVersions says the minimum is, when that must differ from what is accepted. */
  readonly advertisedMinVersion?: number;
  handle(request: Req, ctx: RequestContext): Res | Promise<Res>;
  /** True when the client expects no response at all (Produce with acks=0). */
  noResponse?(request: Req): boolean;
  /**
   * True when, once `handle`'s result has settled, nothing it started still refers to the request's
   * bytes, so the connection may reuse the frame's buffer (Produce: its records are in the file by
   * then). Decoded requests are views of their frame, so a handler that keeps any part of one — a
   * group member's metadata, say — must not claim this.
   */
  readonly keepsNoRequestBytes?: boolean;
}

export function handler<Req, Res>(
  api: Api<Req, Res>,
  versions: { min?: number; max?: number },
  handle: Handler<Req, Res>['handle'],
  extra: Pick<Handler<Req, Res>, 'noResponse' | 'keepsNoRequestBytes'> = {},
): Handler<Req, Res> {
  const minVersion = versions.min ?? api.versions.lo;
  const maxVersion = versions.max ?? api.versions.hi;
  if (minVersion < api.versions.lo || maxVersion > api.versions.hi) {
    throw new Error(`${api.name} handler versions ${minVersion}-${maxVersion} exceed the codec's ${api.versions.lo}-${api.versions.hi}`);
  }
  return { api, minVersion, maxVersion, handle, ...extra };
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, Handler>();

  register(h: Handler): this {
    if (this.byKey.has(h.api.key)) throw new Error(`two handlers for ${h.api.name}`);
    this.byKey.set(h.api.key, h);
    return this;
  }

  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  /** The ApiVersions list: every registered API with the versions its handler accepts. */
  supported(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.byKey.values()]
      .map((h) => ({ apiKey: h.api.key, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}

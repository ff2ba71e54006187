/**
 * Reads from an accepted socket into buffers the reader chooses, with no buffer allocated per read.
 *
 * Node reads a socket into a fresh 64 KB buffer each time and hands it to 'data' listeners; a 1 MB
 * Produce request then costs 16 allocations and a copy of every byte into the frame. `net.Socket`'s
 * `onread` option instead reads into a buffer of the caller's choosing — for us, the remainder of
 * the frame being received (FrameReader.nextBuffer). Node offers `onread` only to sockets it creates
 * for `connect`, not to those a server accepts, so the accepted socket (paused on connect) gives its
 * handle to a new `Socket` built with `onread`, the way Node's own server builds sockets. That uses
 * two internals, the `_handle` property and the `handle` option, present in every Node release since
 * `onread` came (12.x); if they are missing, the reader is fed from 'data' events instead, by a copy.
 */
import { Socket } from 'node:net';

export interface DirectReader {
  /** Where the next bytes should go. */
  buffer(): Buffer;
  /** `n` bytes landed at the start of the last buffer; false stops reading. */
  filled(n: number): boolean;
}

interface HandleOwner {
  _handle?: { readStart?: unknown } | null;
}

/**
 * A socket reading into `reader`'s buffers: a new one over `accepted`'s handle (which must come from
 * a server created with `pauseOnConnect`), or `accepted` itself, fed by copying, when Node does not
 * allow that. `direct` says which.
 */
export function withDirectReads(accepted: Socket, reader: DirectReader): { socket: Socket; direct: boolean } {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  if (handle && typeof handle.readStart === 'function') {
    owner._handle = null;
    accepted.destroy(); // releases only the old wrapper (and the server's count of it): the handle is ours now
    const socket = new Socket({
      handle,
      readable: true,
      writable: true,
      onread: { buffer: () => reader.buffer(), callback: (n: number) => reader.filled(n) },
    } as ConstructorParameters<typeof Socket>[0]);
    return { socket, direct: true };
  }
  accepted.on('data', (chunk: Buffer) => feed(reader, chunk));
  accepted.resume();
  return { socket: accepted, direct: false };
}

/** Hands `reader` bytes that arrived in a buffer of their own, copying them where it asks; stops when it says so. */
export function feed(reader: DirectReader, chunk: Buffer): void {
  for (let at = 0; at < chunk.length;) {
    const target = reader.buffer();
    const n = Math.min(target.length, chunk.length - at);
    chunk.copy(target, 0, at, at + n);
    at += n;
    if (!reader.filled(n)) return;
  }
}

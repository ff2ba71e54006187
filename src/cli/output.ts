/** Writing many lines to stdout without holding them all in memory or outrunning a slow pipe. */
import { once } from 'node:events';

const CHUNK = 64 * 1024;

/**
 * Writes each line of `lines` followed by a newline. If producing a line throws, the lines before
 * it are still written, then the error propagates.
 */
export async function writeLines(lines: Iterable<string>, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  let chunk = '';
  try {
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length >= CHUNK) {
        const ready = stream.write(chunk);
        chunk = '';
        if (!ready) await once(stream, 'drain');
      }
    }
  } finally {
    if (chunk !== '' && !stream.write(chunk)) await once(stream, 'drain');
  }
}

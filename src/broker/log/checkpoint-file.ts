/**
 * CheckpointFile: one offset kept in a small text file, replaced atomically.
 *
 *   0          version
 *   368912     the offset
 *
 * Written as `<file>.tmp`, fsynced, then renamed over the old file (and the directory fsynced), so a
 * reader finds either the old value or the new one, never a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirSync } from './file-io.js';

const VERSION = 0;

/** A partition log's checkpoints (Kafka keeps one file per log dir; Skein one per partition). */
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

export class CheckpointFile {
  constructor(readonly file: string) {}

  /** The stored offset, or undefined if the file does not exist. Throws if it exists but is malformed. */
  read(): number | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const lines = text.split('\n');
    const version = Number(lines[0]);
    const value = Number(lines[1]);
    if (version !== VERSION || lines[1] === undefined || lines[1].trim() === '' || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${this.file}: malformed checkpoint ${JSON.stringify(text.slice(0, 40))}`);
    }
    return value;
  }

  write(value: number): void {
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, `${VERSION}\n${value}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDirSync(path.dirname(this.file));
  }
}

/**
 * ProducerIdManager: hands out producer ids, never the same one twice, even across restarts.
 *
 * Ids come from blocks of 1000. Before the first id of a block is handed out, the block's end is
 * written to `<log.dir>/producer-id-block` (temp file, fsync, rename — a `CheckpointFile`), so after
 * any restart allocation resumes at the last recorded block end: at worst the rest of a block is
 * skipped. One fsync per 1000 ids.
 *
 * Kafka (KRaft) asks the controller for blocks, which records them in its metadata log; a single
 * node keeps the one number it needs in a file of its own.
 */
import path from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { CheckpointFile } from '../log/checkpoint-file.js';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private nextId: number;
  private blockEnd: number;

  private constructor(
    private readonly file: CheckpointFile,
    recordedEnd: number,
    readonly blockSize: number,
  ) {
    this.nextId = recordedEnd;
    this.blockEnd = recordedEnd;
  }

  /**
   * Reads `<logDir>/producer-id-block` (absent: start at 0). A file that exists but cannot be read
   * throws: starting over from 0 could hand out ids that are still in use.
   */
  static open(logDir: string, opts: { blockSize?: number } = {}): ProducerIdManager {
    const file = new CheckpointFile(path.join(logDir, PRODUCER_ID_BLOCK_FILE));
    let recorded: number | undefined;
    try {
      recorded = file.read();
    } catch (err) {
      throw new Error(`cannot read ${file.file}, refusing to reuse producer ids: ${(err as Error).message}`, { cause: err });
    }
    return new ProducerIdManager(file, recorded ?? 0, opts.blockSize ?? PRODUCER_ID_BLOCK_SIZE);
  }

  /** The id the next call returns. */
  get nextProducerId(): bigint {
    return BigInt(this.nextId);
  }

  /** A producer id no one has had; persists a new block first when the current one is used up. */
  generateProducerId(): bigint {
    if (this.nextId >= this.blockEnd) {
      const end = this.nextId + this.blockSize;
      if (!Number.isSafeInteger(end)) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'producer ids are exhausted');
      this.file.write(end);
      this.blockEnd = end;
    }
    return BigInt(this.nextId++);
  }
}

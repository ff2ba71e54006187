/**
 * `skein dump-log --files a.log[,b.index,…] [--print-data-log] [--deep-iteration]`: prints what a
 * partition's files hold, read directly from disk (no broker needed), like kafka-dump-log.sh. See
 * dump-log-segments.ts for what is read and how damage is reported.
 *
 * Exit code 1 when a file could not be read at all; a damaged file is reported, not an error.
 */
import type { Command } from 'commander';
import { dumpFile } from '../dump-log-segments.js';
import { printError } from '../options.js';
import { writeLines } from '../output.js';

export interface DumpLogOptions {
  files: string;
  printDataLog?: boolean;
  deepIteration?: boolean;
}

export function registerDumpLogCommand(program: Command): void {
  program
    .command('dump-log')
    .description("Print the contents of a partition's .log, .index and .timeindex files (like kafka-dump-log.sh)")
    .requiredOption('--files <file,...>', 'comma-separated list of files to dump')
    .option('--print-data-log', "print each record's key and payload (implies --deep-iteration)")
    .option('--deep-iteration', "print each record's metadata, not only each batch's")
    .action(async (opts: DumpLogOptions) => {
      process.exitCode = await runDumpLog(opts);
    });
}

export async function runDumpLog(opts: DumpLogOptions): Promise<number> {
  const files = opts.files
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const options = { printDataLog: opts.printDataLog === true, deepIteration: opts.deepIteration === true };
  let status = 0;
  for (const file of files) {
    try {
      await writeLines(dumpFile(file, options, printError));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
      printError(`Cannot read ${file}: ${reason}`);
      status = 1;
    }
  }
  return status;
}

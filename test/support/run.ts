/**
 * Runs an external program (kcat, python) to completion with a deadline, collecting its output.
 * A non-zero exit, a signal or the deadline rejects with the command line and what it printed.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Resolve even when the exit code is not 0 (the caller checks `code`). */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const describe = (): string => `${cmd} ${args.join(' ')}\n--- stderr ---\n${Buffer.concat(err).toString().slice(-4000)}`;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if ((code !== 0 || signal !== null) && !opts.allowFailure) {
        reject(new Error(`exited with ${code ?? signal}: ${describe()}`));
        return;
      }
      resolve(result);
    });
    child.stdin.on('error', () => {}); // a program that exits early closes its stdin
    child.stdin.end(opts.stdin ?? '');
  });
}

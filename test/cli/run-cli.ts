/**
 * Runs the built CLI (`node bin/skein.js …`, needs `npm run build`) as a child process and collects
 * what it printed.
 */
import { spawn } from 'node:child_process';
import { CLI } from '../support/broker.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`skein ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface CliBroker {
  port: number;
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `skein broker start <args>` as a child process, resolved once it has logged that it started. */
export async function startCliBroker(args: readonly string[]): Promise<CliBroker> {
  const child = spawn(process.execPath, [CLI, 'broker', 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`broker did not start:\n${out}`)), 20_000);
    child.stderr.on('data', () => {
      if (/ started /.test(out)) {
        clearTimeout(timer);
        res();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`broker exited during start:\n${out}`));
    });
  });
  const port = Number(/Listening on PLAINTEXT:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
  return {
    port,
    output: () => out,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

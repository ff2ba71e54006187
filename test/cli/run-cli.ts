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

export interface CliProcessOptions {
  /** Extra environment variables (on top of this process's). */
  env?: Record<string, string>;
  /** Working directory (default: this process's). */
  cwd?: string;
}

export function runCli(args: readonly string[], opts: { input?: string; timeoutMs?: number } & CliProcessOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd, env: { ...process.env, ...opts.env } });
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

export interface CliProcess {
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches `pattern`; rejects if it exits first or after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` (none: just waits) and resolves with how it ended; SIGKILLs it after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliResult>;
}

/** A long-running command (`skein run …`) as a child process. */
export function startCli(args: readonly string[], opts: CliProcessOptions = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const l of listeners) l();
  });
  const closed = new Promise<CliResult>((res) => child.once('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = (): void => {
          if (pattern.test(stderr)) done();
        };
        const timer = setTimeout(
          () => done(new Error(`skein ${args.join(' ')}: no ${pattern} on stderr within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
          timeoutMs,
        );
        listeners.add(check);
        void closed.then((r) =>
          done(
            pattern.test(stderr)
              ? undefined
              : new Error(`skein ${args.join(' ')} exited (${r.code ?? r.signal}) before ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`),
          ),
        );
        check();
      }),
    stop: async (signal, timeoutMs = 30_000) => {
      if (signal !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await closed;
      clearTimeout(timer);
      return r;
    },
  };
}

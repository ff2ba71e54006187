/**
 * Test brokers: in-process (fast, injectable clock) or as a child process running the real CLI
 * (for SIGTERM/SIGKILL). Both listen on 127.0.0.1 port 0 with their data in a fresh temp dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Broker, type BrokerStartOptions } from '../../src/broker/broker.js';
import type { BrokerServer } from '../../src/broker/broker-server.js';
import { silentLogger } from '../../src/broker/logger.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/skein.js');

export function tempDir(prefix = 'skein-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** What a test may choose besides the configs: its clock, its logger (silent by default), its log dir. */
export type TestBrokerOptions = Pick<BrokerStartOptions, 'clock' | 'logger' | 'logDir'>;

export interface TestBroker {
  /** The broker as a user has it (the public API). */
  broker: Broker;
  /** The node behind it, for checks on its coordinators and logs that no client can see. */
  server: BrokerServer;
  bootstrap: string;
  logDir: string;
  stop(): Promise<void>;
}

/**
 * Starts a broker in this process through the public `Broker.start`. `overrides` are Kafka property
 * names; what they leave out has Kafka's default, or the embedded one (docs/embedding.md). The log dir is made here (or given) rather than by `Broker.start`, so that it outlives the
 * broker: tests read its files after a stop, start again on it, and remove it with `removeDir`.
 */
export async function startBroker(overrides: Record<string, string> = {}, opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const logDir = opts.logDir ?? tempDir();
  const broker = await Broker.start({ logDir, config: overrides, logger: opts.logger ?? silentLogger, clock: opts.clock });
  return {
    broker,
    server: broker.server,
    bootstrap: broker.bootstrap,
    logDir,
    stop: () => broker.close(),
  };
}

export interface BrokerProcess {
  child: ChildProcess;
  bootstrap: string;
  port: number;
  logDir: string;
  /** Everything the broker logged so far. */
  output(): string;
  /** Sends a signal and waits for the process to exit; resolves with its exit code or signal. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `skein broker start` (the built CLI, dist/) as a child process. `port` 0 picks a free one;
 * pass the previous port to restart on the same address.
 */
export async function spawnBroker(logDir: string, port = 0, extra: Record<string, string> = {}): Promise<BrokerProcess> {
  const args = [CLI, 'broker', 'start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${logDir}`];
  for (const [k, v] of Object.entries(extra)) args.push('--override', `${k}=${v}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const bound = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`broker did not start:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /Listening on PLAINTEXT:\/\/[^:]+:(\d+)/.exec(out);
      if (m && /started/.test(out)) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      rej(new Error(`broker exited during start:\n${out}`));
    });
  });
  return {
    child,
    bootstrap: `127.0.0.1:${bound}`,
    port: bound,
    logDir,
    output: () => out,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

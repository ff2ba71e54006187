import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, spawnBroker, tempDir } from '../support/broker.js';
import { runCli, startCliBroker } from './run-cli.js';

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('skein-cli-broker-');
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('skein broker start', () => {
  it('starts, logs to stderr, and on SIGTERM stops cleanly with exit code 0 and its log dir intact', async () => {
    const logDir = dir();
    const b = await spawnBroker(logDir);
    expect(b.output()).toMatch(/INFO Skein broker 1 started/);

    const created = await runCli(['topics', '--bootstrap-server', b.bootstrap, '--create', '--topic', 'kept', '--partitions', '2']);
    expect(created.code).toBe(0);

    const exit = await b.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(b.output()).toMatch(/Received SIGTERM; shutting down/);
    expect(b.output()).toMatch(/Shut down cleanly/);
    expect(existsSync(join(logDir, 'meta.properties'))).toBe(true);
    expect(existsSync(join(logDir, '.skein_cleanshutdown'))).toBe(true);
    expect(existsSync(join(logDir, 'kept-0'))).toBe(true);
    expect(existsSync(join(logDir, 'kept-1'))).toBe(true);
  });

  it('stops cleanly on SIGINT too', async () => {
    const b = await spawnBroker(dir());
    expect(await b.kill('SIGINT')).toEqual({ code: 0, signal: null });
    expect(b.output()).toMatch(/Received SIGINT/);
  });

  it('reads a properties file, with --override winning over it', async () => {
    const d = dir();
    const props = join(d, 'server.properties');
    writeFileSync(props, `# test\nlisteners=PLAINTEXT://127.0.0.1:1\nlog.dirs=${join(d, 'from-file')}\nnum.partitions=3\n`);
    // The file's listener port 1 is overridden by port 0; were it used, the bind would fail.
    const b = await startCliBroker([props, '--override', 'listeners=PLAINTEXT://127.0.0.1:0']);
    const bootstrap = `127.0.0.1:${b.port}`;
    const created = await runCli(['topics', '--bootstrap-server', bootstrap, '--create', '--topic', 'dflt']);
    expect(created.stdout).toBe('Created topic dflt.\n');
    const described = await runCli(['topics', '--bootstrap-server', bootstrap, '--describe', '--topic', 'dflt']);
    expect(described.stdout).toMatch(/PartitionCount: 3\t/);
    expect(await b.stop()).toBe(0);
    expect(existsSync(join(d, 'from-file', 'meta.properties'))).toBe(true);
  });

  it('reports a configuration error in one line with exit code 1', async () => {
    const r = await runCli(['broker', 'start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'num.partitions=many']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Invalid value "many" for configuration num.partitions (set by --override): expected a whole number from -2147483648 to 2147483647 (int)\n',
    );
    expect(r.stdout).toBe('');
  });

  it('reports a malformed --override and a missing file readably', async () => {
    const bad = await runCli(['broker', 'start', '--override', 'no-equals-sign']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/Malformed --override "no-equals-sign"/);

    const missing = await runCli(['broker', 'start', join(dir(), 'nope.properties')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Cannot read broker config file .*nope\.properties: no such file\n$/);
  });

  it('reports a port already in use without a stack trace', async () => {
    const first = await spawnBroker(dir());
    try {
      const r = await runCli(['broker', 'start', '--override', `listeners=PLAINTEXT://127.0.0.1:${first.port}`, '--override', `log.dirs=${dir()}`]);
      expect(r.code).toBe(1);
      const lastLine = r.stderr.trim().split('\n').at(-1);
      expect(lastLine).toMatch(/^The broker could not start: .*EADDRINUSE/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await first.kill('SIGTERM');
    }
  });

  it('keeps a meta.properties it wrote, so a restart on the same dir works', async () => {
    const d = dir();
    const a = await spawnBroker(d);
    await a.kill('SIGTERM');
    const meta = readFileSync(join(d, 'meta.properties'), 'utf8');
    const b = await spawnBroker(d);
    expect(await b.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(d, 'meta.properties'), 'utf8')).toBe(meta);
  });
});

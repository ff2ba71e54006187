import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('skein command line', () => {
  it('prints help listing its commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['broker', 'topics', 'console-producer', 'console-consumer', 'consumer-groups', 'dump-log'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with exit code 1', async () => {
    const r = await runCli(['consumer-groupz']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown command 'consumer-groupz'/);
  });

  it('rejects an unknown option and a missing required one', async () => {
    const unknown = await runCli(['dump-log', '--files', 'x.log', '--verbose']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown option '--verbose'/);
    const missing = await runCli(['topics', '--list']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: required option '--bootstrap-server <host:port>' not specified/);
  });

  it('shows usage for a command group without its subcommand, exit code 1', async () => {
    const r = await runCli(['broker']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Usage: skein broker/);
  });
});

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, removeDir, startBroker, type TestBroker } from '../support/broker.js';
import { runCli } from './run-cli.js';

let b: TestBroker;

beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.stop();
  removeDir(b.logDir);
});

async function createTopic(topic: string): Promise<void> {
  const r = await runCli(['topics', '--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', '1']);
  expect(r.code).toBe(0);
}

const segment = (topic: string) => join(b.logDir, `${topic}-0`, '00000000000000000000.log');
const produce = (topic: string, input: string, ...args: string[]) =>
  runCli(['console-producer', '--bootstrap-server', b.bootstrap, '--topic', topic, ...args], { input });

async function dumpRecords(topic: string): Promise<string[]> {
  const r = await runCli(['dump-log', '--print-data-log', '--files', segment(topic)]);
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter((l) => l.startsWith('| '));
}

describe('skein console-producer', () => {
  it('sends one record per line with keys split at key.separator, readable with dump-log', async () => {
    await createTopic('keyed');
    const r = await produce('keyed', 'k1:hello\nk2:wor:ld\n:no key\nk3:\n', '--property', 'parse.key=true', '--property', 'key.separator=:');
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const records = await dumpRecords('keyed');
    expect(records.map((l) => l.replace(/CreateTime: \d+ /, '').replace(/ sequence: -?\d+/, ''))).toEqual([
      '| offset: 0 keySize: 2 valueSize: 5 headerKeys: [] key: k1 payload: hello',
      '| offset: 1 keySize: 2 valueSize: 6 headerKeys: [] key: k2 payload: wor:ld',
      '| offset: 2 keySize: 0 valueSize: 6 headerKeys: [] key:  payload: no key',
      '| offset: 3 keySize: 2 valueSize: 0 headerKeys: [] key: k3 payload: ',
    ]);
  });

  it('sends whole lines as values without parse.key, with the codec asked for', async () => {
    await createTopic('plain');
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const r = await produce('plain', `${lines.join('\n')}\n`, '--compression-codec', 'gzip', '--request-required-acks', 'all');
    expect(r.code).toBe(0);
    const dump = await runCli(['dump-log', '--print-data-log', '--files', segment('plain')]);
    expect(dump.stdout).toMatch(/compresscodec: gzip/);
    const payloads = dump.stdout
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) => /payload: (.*)$/.exec(l)?.[1]);
    expect(payloads).toEqual(lines);
    expect(dump.stdout).toMatch(/\| offset: 0 CreateTime: \d+ keySize: -1 valueSize: 6 /);
  });

  it('stops at a line without the separator, after sending the lines before it', async () => {
    await createTopic('strict');
    const r = await produce('strict', 'a:1\nno separator here\nb:2\n', '--property', 'parse.key=true', '--property', 'key.separator=:');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("No key separator found on line number 2: 'no separator here'\n");
    const records = await dumpRecords('strict');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/key: a payload: 1$/);
  });

  it('with acks 0 still delivers, without waiting for answers', async () => {
    await createTopic('noacks');
    const r = await produce('noacks', 'x\ny\n', '--request-required-acks', '0', '--compression-codec', 'lz4');
    expect(r.code).toBe(0);
    // Nothing was acknowledged: give the broker a moment to append what it received.
    for (let i = 0; i < 50 && !(existsSync(segment('noacks')) && readFileSync(segment('noacks')).length > 0); i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await dumpRecords('noacks')).map((l) => /payload: (.*)$/.exec(l)?.[1])).toEqual(['x', 'y']);
  });

  it('on SIGTERM sends what it has read and exits 0, with stdin still open', async () => {
    await createTopic('interactive');
    const child = spawn(process.execPath, [CLI, 'console-producer', '--bootstrap-server', b.bootstrap, '--topic', 'interactive'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.stdin.write('typed line\n');
    // The line is sent as soon as it is read: wait for it to reach the log, then stop.
    for (let i = 0; i < 100 && !(existsSync(segment('interactive')) && readFileSync(segment('interactive')).length > 0); i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await dumpRecords('interactive')).map((l) => /payload: (.*)$/.exec(l)?.[1])).toEqual(['typed line']);
  });

  it('rejects bad options readably', async () => {
    const codec = await produce('plain', 'x\n', '--compression-codec', 'brotli');
    expect(codec).toMatchObject({ code: 1, stderr: 'Unknown --compression-codec brotli; use one of none, gzip, snappy, lz4, zstd\n' });
    const acks = await produce('plain', 'x\n', '--request-required-acks', '2');
    expect(acks.code).toBe(1);
    expect(acks.stderr).toMatch(/--request-required-acks <acks>' argument '2' is invalid/);
    const prop = await produce('plain', 'x\n', '--property', 'parse.keys=true');
    expect(prop.code).toBe(1);
    expect(prop.stderr).toMatch(/^Unknown --property parse.keys/);
    const missing = await runCli(['console-producer', '--bootstrap-server', b.bootstrap]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/required option '--topic <topic>' not specified/);
  });

  it('reports a broker it cannot reach', async () => {
    const r = await runCli(['console-producer', '--bootstrap-server', '127.0.0.1:1', '--topic', 't'], { input: 'x\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Could not connect to 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});

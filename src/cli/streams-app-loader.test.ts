import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { commandLineProperties, loadStreamsApp } from './streams-app-loader.js';

// Modules written here import the built package by its file URL (they live outside the package, so
// `import 'skein'` would not resolve): their Topology is dist's, not this test's src one, which is
// how a module importing another copy of the package looks to the loader.
const DIST = pathToFileURL(resolve(import.meta.dirname, '../../dist/index.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'skein-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeModule(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const load = (module: string, extra: Partial<Parameters<typeof loadStreamsApp>[0]> = {}) =>
  loadStreamsApp({ module, cwd: dir, applicationId: 'loader-test', bootstrapServer: '127.0.0.1:9092', ...extra });

const ECHO = `const { StreamsBuilder } = await import(${JSON.stringify(DIST)});`;

describe('commandLineProperties', () => {
  it('takes --property in order, then the flags over them', () => {
    expect(
      commandLineProperties({
        properties: ['a=1', 'b = x=y ', 'a=2', 'application.id=from-property'],
        applicationId: 'from-flag',
        threads: '3',
        stateDir: '/tmp/s',
        bootstrapServer: 'h:1',
      }),
    ).toEqual({ a: '2', b: 'x=y', 'application.id': 'from-flag', 'num.stream.threads': '3', 'state.dir': '/tmp/s', 'bootstrap.servers': 'h:1' });
  });

  it('refuses a property without a key', () => {
    expect(() => commandLineProperties({ properties: ['=1'] })).toThrow(CliError);
    expect(() => commandLineProperties({ properties: ['noequals'] })).toThrow('Malformed --property "noequals": expected key=value');
  });
});

describe('loadStreamsApp', () => {
  it("calls a CommonJS module's async function with the merged properties and records the module path", async () => {
    const name = writeModule(
      'app.cjs',
      `module.exports = {
        properties: { 'application.id': 'from-module', 'processing.guarantee': 'exactly_once', 'commit.interval.ms': 5 },
        topology: async (props) => {
          ${ECHO}
          const b = new StreamsBuilder();
          b.stream('in').to('out');
          globalThis.seenProps = props;
          return b;
        },
      };`,
    );
    const app = await load(name, { properties: ['commit.interval.ms=7'] });
    expect(app.modulePath).toBe(join(dir, name));
    expect(app.moduleUrl).toBe(pathToFileURL(join(dir, name)).href);
    expect(app).toMatchObject({ exportName: 'topology', kind: 'function' });
    expect(app.topology.subtopologies()).toHaveLength(1);
    expect(app.properties).toEqual({
      'application.id': 'loader-test',
      'processing.guarantee': 'exactly_once',
      'commit.interval.ms': '7',
      'bootstrap.servers': '127.0.0.1:9092',
      'topology.module': join(dir, name),
    });
    expect((globalThis as { seenProps?: unknown }).seenProps).toEqual(app.properties);
  });

  it('takes a Topology as the default export, and keeps a topology.module the module sets', async () => {
    const name = writeModule(
      'topology.mjs',
      `${ECHO}
      const b = new StreamsBuilder();
      b.stream('in').to('out');
      export default b.build();
      export const properties = { 'topology.module': '/elsewhere/app.mjs' };`,
    );
    const app = await load(name);
    expect(app).toMatchObject({ exportName: 'default', kind: 'Topology' });
    expect(app.properties['topology.module']).toBe('/elsewhere/app.mjs');
  });

  it('explains what is wrong with an export', async () => {
    const cases: Array<[string, string, string]> = [
      [
        'date.mjs',
        'export default new Date(0);',
        'The default export of date.mjs is an object (Date): expected a Topology, a StreamsBuilder or a function returning one',
      ],
      [
        'string-fn.mjs',
        "export const topology = () => 'in';",
        "The 'topology' export of string-fn.mjs (a function) returned a string, not a Topology or a StreamsBuilder",
      ],
      [
        'throws.mjs',
        "export default () => { throw new TypeError('x is not defined here'); };",
        'The default export of throws.mjs (a function) threw: TypeError: x is not defined here',
      ],
      [
        'props.mjs',
        `${ECHO} export const topology = new StreamsBuilder(); export const properties = 'fast';`,
        "The 'properties' export of props.mjs must be an object of streams properties, not a string",
      ],
      [
        'empty.mjs',
        'export {};',
        "empty.mjs exports no topology: export a Topology, a StreamsBuilder or a function returning one, as the default export or as 'topology'",
      ],
      [
        'bad-prop.mjs',
        `${ECHO} export const topology = new StreamsBuilder(); export const properties = { 'num.stream.threads': 0 };`,
        'Invalid streams properties: Property num.stream.threads must be at least 1, not 0',
      ],
    ];
    for (const [name, text, message] of cases) {
      writeModule(name, text);
      await expect(load(name)).rejects.toThrow(message);
    }
  });
});

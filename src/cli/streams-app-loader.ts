/**
 * Loading a streams application module for `skein run` (and, later, for each stream thread's
 * worker, which must rebuild the same topology from the same module: functions cannot cross
 * threads).
 *
 * The module contract:
 *
 * - **The topology.** The module's named export `topology`, or else its default export, is one of
 *   - a `Topology` (`builder.build()`, or one made with the Processor API);
 *   - a `StreamsBuilder` (the loader calls `build()`);
 *   - a function `(properties) => Topology | StreamsBuilder | Promise<Topology | StreamsBuilder>`,
 *     called once with the application's properties (the module's `properties` with the command
 *     line's on top) — for a topology that depends on them, or that must be built afresh each time.
 *   A CommonJS module may also set `module.exports = { topology, properties }`.
 * - **Properties** (optional): a named export `properties`, an object of streams properties under
 *   Kafka Streams' names (`application.id`, `bootstrap.servers`, `processing.guarantee`, …). They are
 *   defaults: the command line overrides them (`--property key=value`, then the dedicated flags
 *   `--bootstrap-server`, `--application-id`, `--threads`, `--state-dir`). Values from the command
 *   line are strings; StreamsConfig reads numbers and lists from strings.
 *
 * The module should import `skein` itself (the package the CLI belongs to), so that its Topology is
 * the runtime's own; objects from another copy of the package are recognised by their shape.
 *
 * `loadStreamsApp` records the absolute path of the module it loaded (`modulePath`), and puts it in
 * the `topology.module` property unless that is set already: that is what a worker thread imports.
 * Its arguments (`StreamsAppArgs`) are plain strings, so a worker can be handed the same ones
 * (`workerData`, with `module` set to `modulePath`) and rebuild the same application — properties
 * that are objects (a serde, a handler function) cannot cross threads, but come again from the module.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamsBuilder } from '../streams/kstream/streams-builder.js';
import { Topology } from '../streams/processor/topology.js';
import { StreamsConfig } from '../streams/runtime/streams-config.js';
import { StreamsError } from '../streams/errors.js';
import { CliError, errorLine } from './cli-error.js';

/** Where the streams properties of the command line come from (each optional). */
export interface StreamsAppArgs {
  /** The module's path as the user wrote it: relative to `cwd`, or absolute. */
  module: string;
  /** Default: process.cwd(). */
  cwd?: string;
  bootstrapServer?: string;
  applicationId?: string;
  stateDir?: string;
  threads?: string;
  /** `--property key=value` arguments, in order (a later one wins). */
  properties?: readonly string[];
}

/** The command-line flags that stand for one property each, and the property. */
const FLAG_PROPERTIES = {
  bootstrapServer: 'bootstrap.servers',
  applicationId: 'application.id',
  threads: 'num.stream.threads',
  stateDir: 'state.dir',
} as const;

export interface LoadedStreamsApp {
  /** Absolute path of the module that was loaded: what a worker thread imports to rebuild the topology. */
  readonly modulePath: string;
  /** The same as a file: URL (what `import()` was given). */
  readonly moduleUrl: string;
  /** Which export held the topology. */
  readonly exportName: 'topology' | 'default';
  /** What that export was. */
  readonly kind: 'Topology' | 'StreamsBuilder' | 'function';
  readonly topology: Topology;
  /** The module's properties with the command line's on top, and `topology.module`. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Imports the module, works out its properties, checks them, and builds its topology. */
export async function loadStreamsApp(args: StreamsAppArgs): Promise<LoadedStreamsApp> {
  const overrides = commandLineProperties(args);
  const { modulePath, moduleUrl, exports } = await importModule(args.module, args.cwd ?? process.cwd());
  const found = findExports(exports, args.module);
  const properties: Record<string, unknown> = { ...found.properties, ...overrides };
  if (properties['topology.module'] === undefined) properties['topology.module'] = modulePath;
  checkProperties(properties);
  const { topology, kind } = await resolveTopology(found.topology, found.exportName, args.module, properties);
  return { modulePath, moduleUrl, exportName: found.exportName, kind, topology, properties: Object.freeze(properties) };
}

/**
 * The properties the command line sets: `--property key=value` in order, then the dedicated flags
 * (which win over a `--property` naming the same key).
 */
export function commandLineProperties(args: Omit<StreamsAppArgs, 'module'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args.properties ?? []) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? '' : arg.slice(0, eq).trim();
    if (key === '') throw new CliError(`Malformed --property "${arg}": expected key=value, e.g. --property processing.guarantee=exactly_once`);
    out[key] = arg.slice(eq + 1).trim();
  }
  for (const [flag, key] of Object.entries(FLAG_PROPERTIES) as Array<[keyof typeof FLAG_PROPERTIES, string]>) {
    const value = args[flag];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Resolves `path` against `cwd` and imports it as an ES module (CommonJS through Node's interop). */
export async function importModule(path: string, cwd: string): Promise<{ modulePath: string; moduleUrl: string; exports: Record<string, unknown> }> {
  const modulePath = isAbsolute(path) ? path : resolve(cwd, path);
  const fail = (why: string) => new CliError(`Cannot load streams application module ${path}: ${why}`);
  let isFile: boolean;
  try {
    isFile = statSync(modulePath).isFile();
  } catch {
    throw fail(`no such file (${modulePath})`);
  }
  if (!isFile) throw fail(`${modulePath} is not a file`);
  const moduleUrl = pathToFileURL(modulePath).href;
  try {
    const exports = (await import(moduleUrl)) as Record<string, unknown>;
    return { modulePath, moduleUrl, exports };
  } catch (e) {
    throw fail(errorLine(e));
  }
}

interface FoundExports {
  topology: unknown;
  exportName: 'topology' | 'default';
  properties: Record<string, unknown>;
}

function findExports(ns: Record<string, unknown>, path: string): FoundExports {
  // A CommonJS `module.exports = { topology, properties }` whose names Node could not detect.
  const dflt = ns.default;
  const cjs = isPlainObject(dflt) && !isTopology(dflt) && !isBuilder(dflt) ? dflt : undefined;
  const topologyExport = ns.topology ?? cjs?.topology;
  const propertiesExport = ns.properties ?? cjs?.properties;

  let properties: Record<string, unknown> = {};
  if (propertiesExport !== undefined) {
    if (!isPlainObject(propertiesExport)) {
      throw new CliError(`The 'properties' export of ${path} must be an object of streams properties, not ${describeValue(propertiesExport)}`);
    }
    properties = propertiesExport;
  }
  if (topologyExport !== undefined) return { topology: topologyExport, exportName: 'topology', properties };
  if (dflt !== undefined && cjs === undefined) return { topology: dflt, exportName: 'default', properties };
  const names = Object.keys(ns).filter((n) => n !== 'default' && n !== 'properties');
  throw new CliError(
    `${path} exports no topology: export a Topology, a StreamsBuilder or a function returning one, as the default export or as 'topology'` +
      (names.length > 0 ? ` (it exports ${names.map((n) => `'${n}'`).join(', ')})` : dflt !== undefined ? ` (its default export is ${describeValue(dflt)})` : ''),
  );
}

/** The topology an export stands for, calling a function export with the properties. */
async function resolveTopology(
  value: unknown,
  exportName: string,
  path: string,
  properties: Readonly<Record<string, unknown>>,
): Promise<{ topology: Topology; kind: LoadedStreamsApp['kind'] }> {
  const what = `The ${exportName === 'default' ? 'default export' : `'${exportName}' export`} of ${path}`;
  let kind: LoadedStreamsApp['kind'];
  let result = value;
  if (typeof value === 'function' && !isBuilder(value) && !isTopology(value)) {
    kind = 'function';
    try {
      result = await (value as (p: Readonly<Record<string, unknown>>) => unknown)(Object.freeze({ ...properties }));
    } catch (e) {
      throw new CliError(`${what} (a function) threw: ${errorLine(e)}`);
    }
    if (!isTopology(result) && !isBuilder(result)) {
      throw new CliError(`${what} (a function) returned ${describeValue(result)}, not a Topology or a StreamsBuilder`);
    }
  } else if (isTopology(value)) {
    kind = 'Topology';
  } else if (isBuilder(value)) {
    kind = 'StreamsBuilder';
  } else {
    throw new CliError(`${what} is ${describeValue(value)}: expected a Topology, a StreamsBuilder or a function returning one`);
  }
  if (isTopology(result)) return { topology: result, kind };
  try {
    const built = (result as StreamsBuilder).build();
    if (!isTopology(built)) throw new CliError(`${what}: build() returned ${describeValue(built)}, not a Topology`);
    return { topology: built, kind };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what}: building the topology failed: ${errorLine(e)}`);
  }
}

/** StreamsConfig's checks, reported as the command's error. */
function checkProperties(properties: Readonly<Record<string, unknown>>): void {
  try {
    new StreamsConfig(properties);
  } catch (e) {
    if (e instanceof StreamsError) throw new CliError(`Invalid streams properties: ${e.message}`);
    throw e;
  }
}

function isTopology(x: unknown): x is Topology {
  if (x instanceof Topology) return true;
  const t = x as Partial<Topology> | null;
  return typeof x === 'object' && t !== null && typeof t.subtopologies === 'function' && typeof t.describe === 'function' && typeof t.addSource === 'function';
}

function isBuilder(x: unknown): x is StreamsBuilder {
  if (x instanceof StreamsBuilder) return true;
  const b = x as Partial<StreamsBuilder> | null;
  return typeof x === 'object' && b !== null && typeof b.build === 'function' && typeof b.stream === 'function';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value for an error message: `a string`, `an object (Foo)`, `null`. */
function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') {
    const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `an object (${name})` : 'an object';
  }
  return `${/^[aeiou]/.test(typeof x) ? 'an' : 'a'} ${typeof x}`;
}

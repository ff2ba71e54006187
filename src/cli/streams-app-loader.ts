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
import type { Topology } from '../streams/processor/topology.js';
import { StreamsConfig } from '../streams/runtime/streams-config.js';
import { type TopologyExportKind, findTopologyExports, resolveTopology as resolveTopologyExport } from '../streams/runtime/topology-module.js';
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
  readonly kind: TopologyExportKind;
  readonly topology: Topology;
  /** The module's properties with the command line's on top, and `topology.module`. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Imports the module, works out its properties, checks them, and builds its topology. */
export async function loadStreamsApp(args: StreamsAppArgs): Promise<LoadedStreamsApp> {
  const overrides = commandLineProperties(args);
  const { modulePath, moduleUrl, exports } = await importModule(args.module, args.cwd ?? process.cwd());
  const found = asCliError(() => findTopologyExports(exports, args.module));
  const properties: Record<string, unknown> = { ...found.properties, ...overrides };
  if (properties['topology.module'] === undefined) properties['topology.module'] = modulePath;
  checkProperties(properties);
  const { topology, kind } = await asCliErrorAsync(() => resolveTopologyExport(found.topology, found.exportName, args.module, properties));
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

/** The shared module contract throws StreamsErrors; the command reports them as one line. */
function asCliError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StreamsError) throw new CliError(e.message);
    throw e;
  }
}

async function asCliErrorAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StreamsError) throw new CliError(e.message);
    throw e;
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

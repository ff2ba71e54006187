/**
 * The topology-module contract, shared by `skein run` and the stream threads' workers (which must
 * rebuild the same topology from the same module: functions cannot cross threads).
 *
 * A module's named export `topology`, or else its default export, is a `Topology`, a
 * `StreamsBuilder`, or a function `(properties) => Topology | StreamsBuilder | Promise<…>`; an
 * optional named export `properties` gives default streams properties. (A module may instead build
 * its topology and run `new KafkaStreams(...)` itself; a worker then takes what that constructor was
 * given — see worker-registration.ts.)
 */
import { StreamsBuilder } from '../kstream/streams-builder.js';
import { Topology } from '../processor/topology.js';
import { StreamsError } from '../errors.js';

export type TopologyExportKind = 'Topology' | 'StreamsBuilder' | 'function';

/** One line about an error; built-in errors keep their name (`TypeError: x is not defined`). */
function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e).split('\n')[0].trim();
  const builtin = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'].includes(e.name) && e.name !== 'Error';
  return (builtin ? `${e.name}: ${e.message}` : e.message).split('\n')[0].trim();
}

export interface FoundExports {
  topology: unknown;
  exportName: 'topology' | 'default';
  properties: Record<string, unknown>;
}

export function findTopologyExports(ns: Record<string, unknown>, path: string): FoundExports {
  // A CommonJS `module.exports = { topology, properties }` whose names Node could not detect.
  const dflt = ns.default;
  const cjs = isPlainObject(dflt) && !isTopology(dflt) && !isBuilder(dflt) ? dflt : undefined;
  const topologyExport = ns.topology ?? cjs?.topology;
  const propertiesExport = ns.properties ?? cjs?.properties;

  let properties: Record<string, unknown> = {};
  if (propertiesExport !== undefined) {
    if (!isPlainObject(propertiesExport)) {
      throw new StreamsError(`The 'properties' export of ${path} must be an object of streams properties, not ${describeValue(propertiesExport)}`);
    }
    properties = propertiesExport;
  }
  if (topologyExport !== undefined) return { topology: topologyExport, exportName: 'topology', properties };
  if (dflt !== undefined && cjs === undefined) return { topology: dflt, exportName: 'default', properties };
  const names = Object.keys(ns).filter((n) => n !== 'default' && n !== 'properties');
  throw new StreamsError(
    `${path} exports no topology: export a Topology, a StreamsBuilder or a function returning one, as the default export or as 'topology'` +
      (names.length > 0
        ? ` (it exports ${names.map((n) => `'${n}'`).join(', ')})`
        : dflt !== undefined
          ? ` (its default export is ${describeValue(dflt)})`
          : ''),
  );
}

/** The topology an export stands for, calling a function export with the properties. */
export async function resolveTopology(
  value: unknown,
  exportName: string,
  path: string,
  properties: Readonly<Record<string, unknown>>,
): Promise<{ topology: Topology; kind: TopologyExportKind }> {
  const what = `The ${exportName === 'default' ? 'default export' : `'${exportName}' export`} of ${path}`;
  let kind: TopologyExportKind;
  let result = value;
  if (typeof value === 'function' && !isBuilder(value) && !isTopology(value)) {
    kind = 'function';
    try {
      result = await (value as (p: Readonly<Record<string, unknown>>) => unknown)(Object.freeze({ ...properties }));
    } catch (e) {
      throw new StreamsError(`${what} (a function) threw: ${messageOf(e)}`);
    }
    if (!isTopology(result) && !isBuilder(result)) {
      throw new StreamsError(`${what} (a function) returned ${describeValue(result)}, not a Topology or a StreamsBuilder`);
    }
  } else if (isTopology(value)) {
    kind = 'Topology';
  } else if (isBuilder(value)) {
    kind = 'StreamsBuilder';
  } else {
    throw new StreamsError(`${what} is ${describeValue(value)}: expected a Topology, a StreamsBuilder or a function returning one`);
  }
  if (isTopology(result)) return { topology: result, kind };
  try {
    const built = (result as StreamsBuilder).build();
    if (!isTopology(built)) throw new StreamsError(`${what}: build() returned ${describeValue(built)}, not a Topology`);
    return { topology: built, kind };
  } catch (e) {
    if (e instanceof StreamsError) throw e;
    throw new StreamsError(`${what}: building the topology failed: ${messageOf(e)}`);
  }
}

export function isTopology(x: unknown): x is Topology {
  if (x instanceof Topology) return true;
  const t = x as Partial<Topology> | null;
  return typeof x === 'object' && t !== null && typeof t.subtopologies === 'function' && typeof t.describe === 'function' && typeof t.addSource === 'function';
}

export function isBuilder(x: unknown): x is StreamsBuilder {
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
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') {
    const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `an object (${name})` : 'an object';
  }
  return `${/^[aeiou]/.test(typeof x) ? 'an' : 'a'} ${typeof x}`;
}

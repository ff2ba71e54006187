/**
 * What the DSL objects share: the Topology they write into and the counter that names nodes the
 * way Kafka Streams does (`KSTREAM-MAPVALUES-0000000003`), so `describe()` and internal topic names
 * match Kafka Streams' for the same program and stay the same from run to run.
 */
import { TopologyError } from '../errors.js';
import { Topology } from '../processor/topology.js';
import type { Named } from './options.js';

export class InternalStreamsBuilder {
  readonly topology = new Topology();
  private index = 0;

  newProcessorName(prefix: string): string {
    return prefix + String(this.index++).padStart(10, '0');
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }

  /**
   * The user's name if given (checked), otherwise a generated one. A name burns a counter value all
   * the same, as in Kafka Streams (`NamedInternal.orElseGenerateWithPrefix`), so the generated names
   * after it are Kafka Streams' too.
   */
  nameOrGenerate(named: Named | undefined, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    if (named?.name !== undefined) {
      checkName(named.name);
      return named.name;
    }
    return generated;
  }

  /** `name + suffix` if a name is given, otherwise a generated name; burns a counter value either way (`suffixWithOrElseGet`). */
  suffixedOrGenerate(named: Named | undefined, suffix: string, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    if (named?.name !== undefined) {
      checkName(named.name + suffix);
      return named.name + suffix;
    }
    return generated;
  }
}

export function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 249 || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new TopologyError(`"${name}" is not a legal name: use 1–249 ASCII letters, digits, '.', '_' and '-'`);
  }
}

/** `{ key, value }` or `[key, value]` → `{ key, value }`. */
export function toKeyValue<K, V>(pair: { key: K; value: V } | readonly [K, V], where: string): { key: K; value: V } {
  if (Array.isArray(pair)) return { key: pair[0] as K, value: pair[1] as V };
  if (pair !== null && typeof pair === 'object' && 'key' in pair && 'value' in pair) return pair as { key: K; value: V };
  throw new TypeError(`${where} must return { key, value } or [key, value], not ${JSON.stringify(pair)}`);
}

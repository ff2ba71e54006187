import type { Serde } from '../../serdes/serde.js';

/**
 * A serde the DSL could not know: the key or value type of a store (or of the records a
 * `KTable.groupBy` repartitions) changed on the way and no serde was given. The topology lists them;
 * `default.key.serde` / `default.value.serde` resolve them when the application or test driver
 * starts, and one that is not set fails clearly then.
 */
export interface LateSerde<T> extends Serde<T> {
  /** `where` names what needs the serde: "store counts", "repartition topic counts-repartition". */
  readonly late: { readonly which: 'key' | 'value'; readonly where: string; resolved: Serde<T> | null };
}

export function lateSerde<T>(which: 'key' | 'value', where: string): LateSerde<T> {
  const late: LateSerde<T>['late'] = { which, where, resolved: null };
  const get = (): Serde<T> => {
    if (late.resolved === null) {
      throw new Error(`${where} has no ${which} serde: pass { ${which}Serde } in its options, or set default.${which}.serde`);
    }
    return late.resolved;
  };
  return {
    late,
    get name() {
      return late.resolved?.name ?? `default.${which}.serde`;
    },
    serialize: (topic, data, headers) => get().serialize(topic, data, headers),
    deserialize: (topic, data, headers) => get().deserialize(topic, data, headers),
  };
}

/** A late serde the topology will resolve when the application or test driver starts. */
export function registerLateSerde<T>(topology: { readonly lateSerdes: LateSerde<unknown>[] }, which: 'key' | 'value', where: string): LateSerde<T> {
  const serde = lateSerde<T>(which, where);
  topology.lateSerdes.push(serde as LateSerde<unknown>);
  return serde;
}

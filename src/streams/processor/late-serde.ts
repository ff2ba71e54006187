import type { Serde } from '../../serdes/serde.js';

/**
 * A serde the DSL could not know: the store's key or value type changed on the way and no serde was
 * given. The topology lists them; `default.key.serde` / `default.value.serde` resolve them when the
 * application or test driver starts, and a store that needs one that is not set fails clearly.
 */
export interface LateSerde<T> extends Serde<T> {
  readonly late: { readonly which: 'key' | 'value'; readonly where: string; resolved: Serde<T> | null };
}

export function lateSerde<T>(which: 'key' | 'value', where: string): LateSerde<T> {
  const late: LateSerde<T>['late'] = { which, where, resolved: null };
  const get = (): Serde<T> => {
    if (late.resolved === null) {
      throw new Error(`${where} has no ${which} serde: pass { ${which}Serde } in the options of the call that creates it, or set default.${which}.serde`);
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

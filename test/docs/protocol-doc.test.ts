import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrokerServices } from '../../src/broker/broker-services.js';
import { createHandlerRegistry } from '../../src/broker/handlers/index.js';
import { ROOT } from '../support/broker.js';

describe('docs/protocol.md', () => {
  it('lists exactly the APIs and versions the broker accepts', () => {
    // Building handlers touches no service; they only close over it.
    const registry = createHandlerRegistry({} as BrokerServices);
    const rows = [...readFileSync(join(ROOT, 'docs/protocol.md'), 'utf8').matchAll(/^\| (\w+) \| (\d+) \| (\d+)–(\d+) \|/gm)].map((m) => ({
      name: m[1],
      key: Number(m[2]),
      min: Number(m[3]),
      max: Number(m[4]),
    }));
    const expected = registry.supported().map((s) => {
      const h = registry.get(s.apiKey)!;
      return { name: h.api.name, key: s.apiKey, min: h.minVersion, max: h.maxVersion };
    });
    expect(rows).toEqual(expected);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROKER_CONFIG_DEFINITIONS } from './broker-config.js';
import type { ConfigDefinition } from './config-def.js';
import { TOPIC_CONFIG_DEFINITIONS } from './topic-config.js';

// docs/configuration.md is the user's reference: every config in the tables must have its row there,
// with the type and default the code has.
const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

function row(def: ConfigDefinition): string {
  const dflt = def.default === null ? '—' : def.default === '' ? '(empty)' : `\`${def.default}\``;
  return `| \`${def.name}\` | ${def.type} | ${dflt} |`;
}

describe('docs/configuration.md', () => {
  it.each([...BROKER_CONFIG_DEFINITIONS, ...TOPIC_CONFIG_DEFINITIONS].map((d) => [d.name, d] as const))(
    'documents %s with its type and default',
    (_name, def) => {
      expect(doc).toContain(row(def));
    },
  );
});

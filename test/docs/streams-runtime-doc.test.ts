/**
 * docs/streams-runtime.md cannot go stale: its quick start runs (against dist/, imported as 'skein')
 * and prints what the page says; its property tables list every property StreamsConfig takes, with
 * its default, and nothing else; it names every public method of KafkaStreams and every state; its
 * links resolve; README and streams.md link to it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_CONFIGS, STREAMS_CONFIGS } from '../../src/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/streams-runtime.md'), 'utf8');

function markedBlock(kind: string, name: string): string | undefined {
  const re = new RegExp(`<!-- ${kind}: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n`);
  return re.exec(DOC)?.[1];
}

/** The table rows of the section under `heading`: first cell (a `name`) → second cell. */
function tableRows(heading: string): Map<string, string> {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const section = DOC.slice(start + heading.length + 2, DOC.indexOf('\n#', start + heading.length + 2));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([\w.]+)` \| ([^|]*) \|/gm)) rows.set(m[1], m[2].trim());
  return rows;
}

/** A default as the tables write it. */
function rendered(def: unknown): string | null {
  if (typeof def === 'function') return null; // described in words
  if (def === null || def === '') return '—';
  if (typeof def === 'string') return `\`'${def}'\``;
  return String(def);
}

describe('docs/streams-runtime.md', () => {
  it('runs its quick start against an embedded broker and prints what it shows', () => {
    const source = markedBlock('example', 'runtime-quick-start');
    expect(source).toBeDefined();
    const r = spawnSync(process.execPath, ['--input-type=module', '-'], { cwd: ROOT, input: source, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(markedBlock('stdout', 'runtime-quick-start'));
    // The log lines the page quotes, in the shape it quotes them.
    expect(r.stderr).toMatch(/INFO Task 0_0 is running from orders-0@0 \(0 changelog records restored, \d+ ms\) \(spend-app-StreamThread-1\)/);
    expect(r.stderr).toMatch(/INFO Task 0_0: restored store spend from spend-app-spend-changelog:0: 0 records, offsets 0 to 0 in \d+ ms/);
  }, 90_000);

  for (const [heading, table] of [
    ['### Streams properties', STREAMS_CONFIGS],
    ['### Consumer and producer properties', CLIENT_CONFIGS],
  ] as const) {
    it(`lists every property of ${heading.slice(4)} with its default, and no other`, () => {
      const rows = tableRows(heading);
      expect([...rows.keys()].sort()).toEqual(Object.keys(table).sort());
      for (const [name, def] of Object.entries(table)) {
        const expected = def.required ? '(required)' : rendered(def.default);
        if (expected !== null) expect(`${name}: ${rows.get(name)}`).toBe(`${name}: ${expected}`);
      }
    });
  }

  it('names every public method of KafkaStreams and every state', () => {
    const dts = readFileSync(join(ROOT, 'dist/streams/runtime/kafka-streams.d.ts'), 'utf8');
    const body = dts.slice(dts.indexOf('export declare class KafkaStreams'));
    const methods = [...body.slice(0, body.indexOf('\n}')).matchAll(/^ {4}(\w+)(?:<[^(]*>)?\(/gm)].map((m) => m[1]).filter((m) => m !== 'constructor');
    expect(methods.length).toBeGreaterThan(5);
    expect(methods.filter((m) => !DOC.includes(`${m}(`))).toEqual([]);
    const states =
      /export type KafkaStreamsState = ([^;]+);/
        .exec(dts)?.[1]
        .split('|')
        .map((s) => s.trim().replace(/'/g, '')) ?? [];
    expect(states).toHaveLength(7);
    for (const s of states) expect(DOC).toContain(`| \`${s}\` |`);
  });

  it('links only to files and headings that exist, and README and streams.md link to it', () => {
    const anchors = (file: string): Set<string> => {
      const md = readFileSync(join(ROOT, 'docs', file), 'utf8').replace(/```[\s\S]*?```/g, '');
      return new Set(
        [...md.matchAll(/^#+ (.+)$/gm)].map((m) =>
          m[1]
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, '')
            .replace(/\s/g, '-'),
        ),
      );
    };
    const broken: string[] = [];
    for (const m of DOC.matchAll(/\]\(([\w.-]+\.md)?(?:#([^)]+))?\)/g)) {
      const file = m[1] ?? 'streams-runtime.md';
      let ok: boolean;
      try {
        ok = m[2] === undefined || anchors(file).has(m[2]);
      } catch {
        ok = false;
      }
      if (!ok) broken.push(m[0]);
    }
    expect(broken).toEqual([]);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/streams-runtime.md)');
    expect(readFileSync(join(ROOT, 'docs/streams.md'), 'utf8')).toContain('](streams-runtime.md)');
  });
});

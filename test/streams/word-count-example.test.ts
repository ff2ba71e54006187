/**
 * The streams issue's contract: the word-count program in examples/word-count/ runs unchanged, as
 * JavaScript (`word-count.mjs`) and as TypeScript (`word-count.ts`, compiled by tsc in strict mode),
 * each importing 'skein' — the package itself, through package.json's exports map, so it needs
 * `npm run build` (done here when dist/ is older than src/). Each runs as a child process; what it
 * prints is compared with the word counts computed here from the same two lines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/word-count');
const LINES = ['the quick fox', 'the lazy dog'];

/** What the program must print: the counts of its two lines, as console.log shows a Map, then the count of 'the'. */
function expectedOutput(): string {
  const counts = new Map<string, number>();
  for (const line of LINES)
    for (const w of line
      .toLowerCase()
      .split(/\W+/)
      .filter((x) => x.length > 0))
      counts.set(w, (counts.get(w) ?? 0) + 1);
  return `${inspect(counts)}\n${counts.get('the')}\n`;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let tsOut: string;

beforeAll(() => {
  const dist = join(ROOT, 'dist/index.js');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    const build = run(process.execPath, [TSC, '-p', 'tsconfig.build.json']);
    expect(build.status, `npm run build failed:\n${build.stdout}${build.stderr}`).toBe(0);
  }
  // Inside the package, so that 'skein' resolves to it as it does for the .mjs next to the example.
  tsOut = mkdtempSync(join(ROOT, '.word-count-ts-'));
}, 180_000);

afterAll(() => {
  if (tsOut !== undefined) rmSync(tsOut, { recursive: true, force: true });
});

describe('examples/word-count', () => {
  it('word-count.mjs prints the word counts of its two lines and the count of "the"', () => {
    const r = run(process.execPath, [join(EXAMPLE, 'word-count.mjs')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expectedOutput());
    // The comment in the program says what it prints; it must stay true.
    expect(expectedOutput()).toBe("Map(5) {\n  'the' => 2,\n  'quick' => 1,\n  'fox' => 1,\n  'lazy' => 1,\n  'dog' => 1\n}\n2\n");
  });

  it('word-count.ts is the same program, and compiled by tsc (strict) it prints the same', () => {
    const body = (file: string): string => {
      const text = readFileSync(join(EXAMPLE, file), 'utf8');
      return text.slice(text.indexOf('\nimport '));
    };
    expect(body('word-count.ts')).toBe(body('word-count.mjs'));

    const compiled = run(process.execPath, [
      TSC,
      '--strict',
      '--target',
      'ES2022',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--types',
      'node',
      '--skipLibCheck',
      '--rootDir',
      EXAMPLE,
      '--outDir',
      tsOut,
      join(EXAMPLE, 'word-count.ts'),
    ]);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    const r = run(process.execPath, [join(tsOut, 'word-count.js')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expectedOutput());
  });
});

// The lint configuration enforces DESIGN.md's layering: a deliberately wrong import fails, an
// allowed one passes. Files are linted through ESLint's Node API with eslint.config.js, as
// `npm run lint` does, under paths inside the layers (the files need not exist for the layering
// rule; the cycle check reads its files from disk, so those are written to a temporary folder).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: ROOT });

async function lint(path: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

describe('layering (DESIGN.md) in the lint configuration', () => {
  it('fails src/protocol importing from src/broker', async () => {
    const messages = await lint('src/protocol/layering-fixture.ts', "import { Broker } from '../broker/broker.js';\nexport const b = Broker;\n");
    expect(messages).toEqual([{ ruleId: 'import-x/no-restricted-paths', message: expect.stringContaining('src/protocol is bytes only') }]);
  });

  it('passes src/protocol importing from src/protocol', async () => {
    expect(await lint('src/protocol/layering-fixture.ts', "import { ErrorCode } from './errors.js';\nexport const e = ErrorCode.NONE;\n")).toEqual([]);
  });

  it('passes src/broker importing from src/protocol (dependencies point downward)', async () => {
    expect(await lint('src/broker/layering-fixture.ts', "import { ErrorCode } from '../protocol/errors.js';\nexport const e = ErrorCode.NONE;\n")).toEqual([]);
  });

  it.each([
    ['src/broker/log/layering-fixture.ts', '../handlers/index.js'],
    ['src/broker/log/layering-fixture.ts', '../server/handler.js'],
    ['src/streams/layering-fixture.ts', '../broker/broker.js'],
    ['src/streams/layering-fixture.ts', '../cli/main.js'],
    ['src/serdes/layering-fixture.ts', '../streams/errors.js'],
    ['src/common/layering-fixture.ts', '../protocol/errors.js'],
  ])('fails %s importing %s', async (path, from) => {
    const messages = await lint(path, `import * as m from '${from}';\nexport const x = m;\n`);
    expect(messages.map((m) => m.ruleId)).toEqual(['import-x/no-restricted-paths']);
  });
});

describe('import cycles in the lint configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-lint-cycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The repository's configuration, applied to files in the temporary folder.
  const outside = new ESLint({ cwd: dir, overrideConfigFile: join(ROOT, 'eslint.config.js') });

  it('fails two modules that import each other, and passes when one import is type-only', async () => {
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => (a ? 1 : 0);\n");
    writeFileSync(join(dir, 'c.ts'), "import type { D } from './d.js';\nexport interface C { d?: D }\n");
    writeFileSync(join(dir, 'd.ts'), "import type { C } from './c.js';\nexport interface D { c?: C }\n");
    const results = await outside.lintFiles(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
    const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => m.ruleId)]));
    expect(byFile).toEqual({ 'a.ts': ['import-x/no-cycle'], 'b.ts': ['import-x/no-cycle'], 'c.ts': [], 'd.ts': [] });
  });
});

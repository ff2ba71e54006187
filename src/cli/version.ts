/** The package version, read once from package.json (two levels up from both src/cli and dist/cli). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function skeinVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cached = pkg.version ?? '0.0.0';
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}

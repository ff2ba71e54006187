#!/usr/bin/env node
/**
 * npm's `install` script: builds native/crc32c.c with node-gyp (npm's own, on PATH in lifecycle
 * scripts). Node's headers are taken from the running Node's installation when it has them
 * (`<prefix>/include/node`, as official builds and distribution packages with headers do), so the
 * build needs no network; otherwise node-gyp goes its own way (npm's `nodedir`, or a download).
 * A failed build is not an error: src/protocol/crc32c.ts falls back to @node-rs/crc32. With
 * `--strict` (npm run build:native) it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const prefix = dirname(dirname(process.execPath));
const args = ['rebuild'];
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.warn('skein: native/crc32c.c did not build (gcc, g++, make and python3 are needed); CRC-32C falls back to @node-rs/crc32, about 4x slower');
  if (process.argv.includes('--strict')) process.exitCode = 1;
}

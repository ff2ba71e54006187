// Child process for the crash test: commits batch after batch to a LevelDB store — batch b writes
// every key k0..k{N-1} = "b" and changelog offset (b + 1) * N — and prints "flushed b" once batch b
// is on disk. The test SIGKILLs it mid-write.
import { LevelKeyValueBytesStore } from '../../dist/streams/state/internals/level-key-value-store.js';

const [dir, keysArg] = process.argv.slice(2);
const N = Number(keysArg);
const store = new LevelKeyValueBytesStore({ name: 'crash', location: dir });
await store.openStore();
const committed = store.committedChangelogOffset(0);
let b = committed === null ? 0 : committed / N;
for (;;) {
  const value = Buffer.from(String(b));
  for (let k = 0; k < N; k++) store.put(`k${k}`, { value, timestamp: b });
  store.commit(new Map([[0, (b + 1) * N]]));
  if (b % 4 === 0) {
    await store.flushed();
    process.stdout.write(`flushed ${b}\n`);
  }
  b++;
  await new Promise((r) => setImmediate(r));
}

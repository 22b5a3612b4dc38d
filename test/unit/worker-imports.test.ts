/**
 * Worker threads load their own copy of every module they import. The codec keeps the
 * WebAssembly Poly1305 (and libsodium) on the main thread: a worker that reached them
 * would pay their start-up and memory once per thread. This walks each worker entry's
 * imports, transitively, and checks that they stay out; and that the build bundles every
 * worker the engine starts.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKERS = ['src/engine/blob-codec/encode-worker.ts', 'src/engine/restorer/blob-writer-worker.ts'];
const KEPT_OUT = ['src/engine/crypto/poly1305.ts', 'libsodium-wrappers-sumo'];

/** Files and packages a module loads at run time (type-only imports are erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [path.join(ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    const rel = path.relative(ROOT, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec));
      else seen.add(spec);
    }
  }
  return seen;
}

describe('worker threads', () => {
  it.each(WORKERS)('%s loads the codec core, never the WebAssembly MAC', (worker) => {
    const loaded = closure(worker);
    expect(loaded).toContain('src/engine/blob-codec/codec-core.ts');
    for (const heavy of KEPT_OUT) expect(loaded).not.toContain(heavy);
  });

  it('finds the MAC from the main-thread codec (the walk sees what it must exclude)', () => {
    expect(closure('src/engine/blob-codec/blob-codec.ts')).toContain('src/engine/crypto/poly1305.ts');
  });

  it('bundles every worker the engine starts', () => {
    const build = readFileSync(path.join(ROOT, 'scripts/build.mjs'), 'utf8');
    for (const worker of WORKERS) expect(build).toContain(worker);
    const started = [
      ...readFileSync(path.join(ROOT, 'src/engine/blob-codec/encoder-pool.ts'), 'utf8').matchAll(/workerUrl\(import\.meta\.url, '([^']+)'\)/g),
      ...readFileSync(path.join(ROOT, 'src/engine/restorer/blob-writer-pool.ts'), 'utf8').matchAll(/workerUrl\(import\.meta\.url, '([^']+)'\)/g),
    ].map((m) => m[1]);
    expect(started.sort()).toEqual(WORKERS.map((w) => path.basename(w, '.ts')).sort());
  });
});

// Bundles dist/ with @vercel/ncc: the action (dist/index.js), the CLI (dist/cli/index.js),
// and each worker thread as an entry point of its own, written beside both bundles: at
// run time a bundle finds a worker as `./<name>.js` next to itself (src/engine/support/worker-threads.ts).
// The bundles' ncc runs type-check the whole project; the workers' only transpile (they
// import nothing but Node's built-ins and engine files already checked). The runs are
// mostly single-threaded, so they go two at a time, one per core.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const NCC = path.resolve('node_modules/.bin/ncc');
const BUNDLES = [
  { entry: 'src/main.ts', out: 'dist', extra: ['--license', 'licenses.txt'] },
  { entry: 'src/cli/main.ts', out: 'dist/cli', extra: [] },
];
const WORKERS = ['src/engine/blob-codec/encode-worker.ts', 'src/engine/restorer/blob-writer-worker.ts'];

function ncc(entry, out, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(NCC, ['build', entry, '-o', out, '--minify', ...extra], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncc build ${entry} exited with ${code}`))));
  });
}

rmSync('dist', { recursive: true, force: true });
const scratch = mkdtempSync(path.join(tmpdir(), 'chunkvault-build-'));
try {
  await Promise.all(BUNDLES.map((b) => ncc(b.entry, b.out, b.extra)));
  await Promise.all(WORKERS.map((w) => ncc(w, path.join(scratch, path.basename(w, '.ts')), ['--transpile-only'])));
  for (const worker of WORKERS) {
    const name = path.basename(worker, '.ts');
    for (const b of BUNDLES) copyFileSync(path.join(scratch, name, 'index.js'), path.join(b.out, `${name}.js`));
  }
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

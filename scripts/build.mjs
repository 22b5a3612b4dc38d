// Bundles dist/ with @vercel/ncc: the action (dist/index.js), the CLI (dist/cli/index.js),
// and each worker thread as an entry point of its own, written beside both bundles: at
// run time a bundle finds a worker as `./<name>.js` next to itself (src/engine/blob-codec/worker-url.ts).
// The bundles' ncc runs type-check the whole project; the workers' only transpile (they
// import nothing but Node's built-ins and engine files already checked).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BUNDLES = [
  { entry: 'src/main.ts', out: 'dist', extra: ['--license', 'licenses.txt'] },
  { entry: 'src/cli/main.ts', out: 'dist/cli', extra: [] },
];
const WORKERS = ['src/engine/blob-codec/encode-worker.ts', 'src/engine/restorer/blob-writer-worker.ts'];

function ncc(entry, out, extra = []) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--minify', ...extra], { stdio: 'inherit' });
}

rmSync('dist', { recursive: true, force: true });
for (const b of BUNDLES) ncc(b.entry, b.out, b.extra);
const scratch = mkdtempSync(path.join(tmpdir(), 'chunkvault-build-'));
try {
  for (const worker of WORKERS) {
    const name = path.basename(worker, '.ts');
    const out = path.join(scratch, name);
    ncc(worker, out, ['--transpile-only']);
    for (const b of BUNDLES) copyFileSync(path.join(out, 'index.js'), path.join(b.out, `${name}.js`));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

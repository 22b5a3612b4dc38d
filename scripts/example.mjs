// The README's first command: backs up a sample folder (this project's src/ and docs)
// into a local repository by running the bundled action exactly as a workflow would, then
// lists the snapshots with the CLI. Run it twice to see an incremental backup.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const work = path.join(root, '.tmp', 'example');
mkdirSync(work, { recursive: true });
const outputFile = path.join(work, 'github-output');
const summaryFile = path.join(work, 'step-summary.md');
writeFileSync(outputFile, '');
writeFileSync(summaryFile, '');
if (!existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first');
  process.exit(1);
}

const password = 'example-password-change-me';
// A runner hides `::debug::` lines (those of @actions/glob, ~24 a run) unless its debug
// logging is on (RUNNER_DEBUG=1); a terminal shows every line, so they are dropped here the
// same way, and kept with RUNNER_DEBUG=1.
const action = spawn(process.execPath, [path.join(root, 'dist', 'index.js')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    GITHUB_WORKSPACE: root,
    GITHUB_REPOSITORY: 'example/chunkvault',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    INPUT_REPOSITORY: '.tmp/example/repo',
    INPUT_PASSWORD: password,
    INPUT_SOURCE: 'src\nREADME.md\naction.yml',
    INPUT_EXCLUDE: '*.log',
    INPUT_TAGS: 'example',
  },
});
const showDebug = process.env.RUNNER_DEBUG === '1';
for await (const line of createInterface({ input: action.stdout })) {
  if (showDebug || !line.startsWith('::debug::')) console.log(line);
}
const exitCode = await new Promise((resolve) => (action.exitCode !== null ? resolve(action.exitCode) : action.on('close', resolve)));
if (exitCode !== 0) process.exit(exitCode ?? 1);
console.log('\nStep outputs:');
const lines = readFileSync(outputFile, 'utf8').split('\n');
for (let i = 0; i < lines.length; i++) {
  const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
  if (m) console.log(`  ${m[1]} = ${lines[i + 1]}`);
}
console.log(`Job summary written to ${path.relative(root, summaryFile)}\n`);
execFileSync(process.execPath, [path.join(root, 'dist', 'cli', 'index.js'), 'snapshots', '-r', path.join(work, 'repo')], {
  stdio: 'inherit',
  env: { ...process.env, RESTIC_PASSWORD: password },
});

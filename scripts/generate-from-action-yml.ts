// Regenerates what is derived from action.yml (the README's inputs and outputs tables and
// src/action/action-inputs.ts). With --check it writes nothing and fails when any is stale,
// so that CI catches an action.yml edit without `npm run docs`.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from './action-metadata/action-metadata.ts';
import { generatedFiles } from './action-metadata/generated-files.ts';

const check = process.argv.includes('--check');
const stale = generatedFiles().filter((f) => f.actual !== f.expected);
if (check) {
  if (stale.length > 0) {
    console.error(`stale, generated from action.yml: ${stale.map((f) => f.path).join(', ')}. Run \`npm run docs\` and commit the result.`);
    process.exit(1);
  }
  console.log('README.md tables and src/action/action-inputs.ts match action.yml');
} else {
  for (const f of stale) {
    writeFileSync(path.join(REPOSITORY_ROOT, f.path), f.expected);
    console.log(`wrote ${f.path}`);
  }
  if (stale.length === 0) console.log('nothing to regenerate: everything matches action.yml');
}

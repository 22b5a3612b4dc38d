// Rebuilds dist/ and fails when it differs from what is committed: actions run from
// dist/, so a stale bundle ships old code.
import { execFileSync } from 'node:child_process';

execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const diff = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (diff.trim() !== '') {
  console.error('dist/ is stale: run `npm run build` and commit the result.\n' + diff);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ is up to date');

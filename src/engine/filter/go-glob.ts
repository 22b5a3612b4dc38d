/**
 * Go's `filepath.Glob` (Go 1.19, what restic 0.14 expands `--files-from` lines with), on
 * Unix: a pattern without `*?[\` is returned as it is when something exists there
 * (lstat); otherwise the directory part is globbed first, and each directory's entries are
 * matched, in byte order, against the last component (`*` matches leading dots too, and
 * never `/`). Unreadable or missing directories match nothing; relative patterns give
 * relative results (against `baseDir`, Go's working directory); a malformed pattern is an
 * input error naming `what`.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { invalidInput } from '../errors.ts';
import { goPathJoin } from '../format/go-path.ts';
import { BadGlobError, compileGlob } from './glob.ts';

export function goGlob(pattern: string, baseDir: string, what: string): string[] {
  try {
    // Go checks the whole pattern first (Match(pattern, "")): a bad one fails even when nothing is read.
    compileGlob(pattern);
  } catch (e) {
    if (e instanceof BadGlobError) throw invalidInput(`invalid ${what} pattern: ${JSON.stringify(pattern)} (${e.message})`);
    throw e;
  }
  return globPattern(pattern, baseDir);
}

function hasMeta(p: string): boolean {
  return /[*?[\\]/.test(p);
}

function globPattern(pattern: string, baseDir: string): string[] {
  if (!hasMeta(pattern)) return lexists(path.resolve(baseDir, pattern)) ? [pattern] : [];
  const slash = pattern.lastIndexOf('/');
  const file = pattern.slice(slash + 1);
  const dir = cleanGlobPath(pattern.slice(0, slash + 1));
  if (!hasMeta(dir)) return matchIn(dir, file, baseDir);
  return globPattern(dir, baseDir).flatMap((d) => matchIn(d, file, baseDir));
}

/** Go's cleanGlobPath: '' is '.', '/' stays, else the trailing separator goes. */
function cleanGlobPath(dir: string): string {
  if (dir === '') return '.';
  if (dir === '/') return dir;
  return dir.slice(0, -1);
}

function matchIn(dir: string, component: string, baseDir: string): string[] {
  const real = path.resolve(baseDir, dir);
  let names: string[];
  try {
    if (!statSync(real).isDirectory()) return [];
    names = readdirSync(real);
  } catch {
    return []; // Go ignores I/O errors here
  }
  const re = compileGlob(component);
  return names
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .filter((n) => re.test(n))
    .map((n) => goPathJoin(dir, n));
}

/** Whether a path exists, a dangling symlink included (lstat, as Go's Lstat). */
function lexists(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

/**
 * restic 0.14's lists of files to back up (`backup --files-from`, `--files-from-verbatim`,
 * `--files-from-raw`), read as it reads them:
 *
 * - `--files-from`: text lines (a UTF-8 or UTF-16 byte order mark is honoured), each
 *   trimmed of white space; empty lines and lines starting with `#` skipped; each line a
 *   Go glob (filepath.Glob), one that matches nothing skipped with a warning;
 * - `--files-from-verbatim`: text lines taken as they are, only empty lines skipped;
 * - `--files-from-raw`: names each ended by a NUL byte (what `find -print0` writes).
 *
 * `-` reads standard input. The lists come in restic's order: every --files-from, then
 * every --files-from-verbatim, then every --files-from-raw. As restic does, a listed path
 * that does not exist is left out with a warning.
 */
import { lstatSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { errorMessage, goGlob, invalidInput } from '../engine/index.ts';

export interface FilesFromArgs {
  'files-from'?: string[];
  'files-from-verbatim'?: string[];
  'files-from-raw'?: string[];
}

export const FILES_FROM_FLAGS = ['files-from', 'files-from-verbatim', 'files-from-raw'] as const;

export function filesFromTargets(args: FilesFromArgs, baseDir: string, warn: (message: string) => void, readStdin: () => Buffer = () => readFileSync(0)): string[] {
  const read = (file: string, flag: string): Buffer => {
    if (file === '-') return readStdin();
    try {
      return readFileSync(path.resolve(baseDir, file));
    } catch (e) {
      throw invalidInput(`--${flag} ${file}: ${errorMessage(e)}`);
    }
  };
  const listed: string[] = [];
  for (const file of args['files-from'] ?? []) {
    for (const raw of textLines(read(file, 'files-from'))) {
      const line = goTrimSpace(raw);
      if (line === '' || line.startsWith('#')) continue;
      const matches = goGlob(line, baseDir, '--files-from');
      if (matches.length === 0) warn(`pattern ${JSON.stringify(line)} does not match any files, skipping`);
      listed.push(...matches);
    }
  }
  for (const file of args['files-from-verbatim'] ?? []) {
    listed.push(...textLines(read(file, 'files-from-verbatim')).filter((line) => line !== ''));
  }
  for (const file of args['files-from-raw'] ?? []) listed.push(...rawNames(read(file, 'files-from-raw'), file));
  return listed.filter((p) => {
    if (lexists(path.resolve(baseDir, p))) return true;
    warn(`${p} does not exist, skipping`);
    return false;
  });
}

/**
 * Go's textfile.Read then bufio.Scanner's lines: a UTF-8 BOM dropped, UTF-16 (with its BOM)
 * decoded; lines end at `\n`, one `\r` before it dropped; no empty last line after a final `\n`.
 */
function textLines(data: Buffer): string[] {
  let text: string;
  if (data[0] === 0xff && data[1] === 0xfe) text = data.subarray(2).toString('utf16le');
  else if (data[0] === 0xfe && data[1] === 0xff) text = Buffer.from(data.subarray(2)).swap16().toString('utf16le');
  else text = data.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** restic's readFilenamesRaw: NUL-terminated names; a missing last NUL or an empty name is an error. */
function rawNames(data: Buffer, file: string): string[] {
  if (data.length === 0) return [];
  if (data.at(-1) !== 0) throw invalidInput(`--files-from-raw ${file}: the last name has no terminating NUL byte (write the list with find -print0)`);
  const names = data.subarray(0, -1).toString('utf8').split('\0');
  if (names.includes('')) throw invalidInput(`--files-from-raw ${file}: an empty name in the list`);
  return names;
}

/** Go's unicode.IsSpace: String.trim's set differs (it has U+FEFF, lacks U+0085). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** Go's strings.TrimSpace. */
function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/** Whether a path exists, a dangling symlink included (lstat, as Go's Lstat). */
function lexists(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

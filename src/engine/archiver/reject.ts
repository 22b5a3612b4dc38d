/**
 * restic's rejections that need more than a path: --exclude-larger-than (by size),
 * --one-file-system (by device), and --exclude-if-present / --exclude-caches (by a tag
 * file in the entry's directory). Each returns true for an entry to leave out.
 */
import { closeSync, lstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import * as path from 'node:path';
import { invalidInput } from '../errors.ts';

/** An entry that is not a directory and is larger than the limit (restic: Size() > max). */
export function rejectLargerThan(maxBytes: number): (stat: BigIntStats) => boolean {
  const max = BigInt(maxBytes);
  return (stat) => !stat.isDirectory() && stat.size > max;
}

/**
 * Entries on another device than the backed-up path they are under. A directory whose
 * parent is on an allowed device is kept (a mount point is stored, empty), as restic does.
 */
export function rejectOtherDevices(targets: readonly string[]): (absolutePath: string, stat: BigIntStats) => boolean {
  const devices = new Map<string, bigint>();
  for (const t of targets) devices.set(t, lstatSync(t, { bigint: true }).dev);
  const allowedDevice = (p: string): bigint | undefined => {
    for (let dir = p; ; dir = path.dirname(dir)) {
      const dev = devices.get(dir);
      if (dev !== undefined) return dev;
      if (dir === path.dirname(dir)) return undefined;
    }
  };
  return (absolutePath, stat) => {
    if (allowedDevice(absolutePath) === stat.dev) return false;
    if (!stat.isDirectory()) return true;
    const parent = path.dirname(absolutePath);
    try {
      return allowedDevice(parent) !== lstatSync(parent, { bigint: true }).dev;
    } catch {
      return true;
    }
  };
}

/** The tag file restic's --exclude-caches looks for (the Cache Directory Tagging Specification). */
export const CACHEDIR_TAG = 'CACHEDIR.TAG:Signature: 8a477f597d28d172789f06886806bc55';

/**
 * `filename[:header]`: everything in a directory holding that file (beginning with that
 * header, when one is given) is left out, except the file itself; the directory stays.
 */
export function rejectIfPresent(spec: string, onWarning: (message: string) => void): (absolutePath: string) => boolean {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const header = colon < 0 ? '' : spec.slice(colon + 1);
  if (name === '') throw invalidInput(`exclude-if-present '${spec}': no tag file name (expected NAME or NAME:HEADER)`);
  const verdicts = new Map<string, boolean>();
  return (absolutePath) => {
    if (path.basename(absolutePath) === name) return false;
    const dir = path.dirname(absolutePath);
    let excluded = verdicts.get(dir);
    if (excluded === undefined) {
      excluded = tagged(path.join(dir, name), header, onWarning);
      verdicts.set(dir, excluded);
    }
    return excluded;
  };
}

function tagged(tagFile: string, header: string, onWarning: (message: string) => void): boolean {
  try {
    lstatSync(tagFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onWarning(`could not access exclusion tag file ${tagFile}: ${(e as Error).message}`);
    return false;
  }
  if (header === '') return true;
  const expected = Buffer.from(header);
  const got = Buffer.alloc(expected.length);
  let read = 0;
  try {
    const fd = openSync(tagFile, 'r');
    try {
      for (let n = -1; n !== 0 && read < got.length; read += n) n = readSync(fd, got, read, got.length - read, null);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    onWarning(`could not read exclusion tag file ${tagFile}: ${(e as Error).message}`);
    return false;
  }
  if (read < got.length || !got.equals(expected)) {
    onWarning(`exclusion tag file ${tagFile} does not begin with the expected header`);
    return false;
  }
  return true;
}

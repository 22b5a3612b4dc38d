/**
 * A varied source tree for interoperability tests, and a byte-for-byte comparison of two
 * trees: names, types, contents, permission bits, symlink targets, mtimes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { dumpLikeText, pseudoRandomBytes } from './data.ts';

const b = (s: string) => Buffer.from(s);
const join = (...parts: (string | Buffer)[]) => Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [b(String(p))] : [b('/'), typeof p === 'string' ? b(p) : p])));

/** Builds the tree under `root` (which must exist). */
export async function buildVariedTree(root: string, opts: { bigFileBytes?: number } = {}): Promise<void> {
  const dir = (...p: string[]) => fs.mkdir(path.join(root, ...p), { recursive: true });
  const file = (p: string, data: string | Buffer, mode?: number) =>
    fs.writeFile(path.join(root, p), data).then(() => (mode === undefined ? undefined : fs.chmod(path.join(root, p), mode)));

  await dir('empty-dir');
  await file('empty-file', '');
  await file('hello.txt', 'hello restic\n');
  await file('private.key', 'secret\n', 0o600);
  await file('script.sh', '#!/bin/sh\necho hi\n', 0o755);
  await file('readonly.txt', 'read only\n', 0o444);
  await file('setuid-bin', 'pretend binary\n', 0o4755);
  await dir('shared');
  await fs.chmod(path.join(root, 'shared'), 0o2775);
  await dir('sticky');
  await fs.chmod(path.join(root, 'sticky'), 0o1777);
  await file('sticky/inside.txt', 'x');

  // Names that need Go escaping, unicode, and bytes that are not UTF-8.
  await dir('names');
  for (const name of ['café.txt', '日本語', 'emoji-😀', 'quote"name', 'back\\slash', 'tab\tname', 'new\nline', 'nbsp\u00a0x', 'zwsp\u200bx', 'lt<gt>&amp', ' leading space', 'trailing space ', '-dash', '\u00ad-soft-hyphen']) {
    await file(`names/${name}`, `content of ${JSON.stringify(name)}\n`);
  }
  for (const raw of [Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x62, 0x69, 0x6e]), Buffer.from([0xc3, 0x28]), Buffer.from([0x01, 0x7f, 0x41])]) {
    await fs.writeFile(join(root, 'names', raw), Buffer.concat([b('raw name '), raw]));
  }

  // Symlinks: relative, absolute, dangling, to a directory.
  await dir('links');
  await fs.symlink('../hello.txt', path.join(root, 'links/relative'));
  await fs.symlink('/etc/hostname', path.join(root, 'links/absolute'));
  await fs.symlink('does/not/exist', path.join(root, 'links/dangling'));
  await fs.symlink('../names', path.join(root, 'links/to-dir'));

  // Deep nesting.
  const deep = Array.from({ length: 24 }, (_, i) => `level${i}`);
  await dir(...deep);
  await file(path.join(...deep, 'bottom.txt'), 'bottom\n');

  // Many small files, some identical (dedup inside one backup).
  await dir('many');
  for (let i = 0; i < 300; i++) await file(`many/f${String(i).padStart(3, '0')}.txt`, `file ${i % 50}\n`.repeat(1 + (i % 7)));

  // Large files: one incompressible, one compressible, so both blob kinds are written.
  const big = opts.bigFileBytes ?? 50 * 1024 * 1024;
  await file('big.bin', pseudoRandomBytes(big, 7));
  await file('dump.sql', dumpLikeText(Math.floor(big / 5), 3));

  // Fixed mtimes (with nanoseconds) on a few entries, after their contents are written.
  await fs.utimes(path.join(root, 'hello.txt'), new Date('2001-02-03T04:05:06.789Z'), new Date('2001-02-03T04:05:06.789Z'));
  await fs.utimes(path.join(root, 'empty-dir'), new Date('2010-01-01T00:00:00Z'), new Date('2010-01-01T00:00:00Z'));
}

export interface EntryInfo {
  type: string;
  mode: number;
  mtimeNs: bigint;
  size: number;
  sha256?: string;
  linkTarget?: string;
}

/** Every entry below `root`, keyed by its relative path (raw bytes as latin1). */
export async function describeTree(root: string): Promise<Map<string, EntryInfo>> {
  const out = new Map<string, EntryInfo>();
  const walk = async (abs: Buffer, rel: Buffer) => {
    const names = await fs.readdir(abs, { encoding: 'buffer' });
    for (const name of names) {
      const childAbs = Buffer.concat([abs, b('/'), name]);
      const childRel = rel.length ? Buffer.concat([rel, b('/'), name]) : name;
      const st = await fs.lstat(childAbs, { bigint: true });
      const info: EntryInfo = {
        type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other',
        mode: Number(st.mode & 0o7777n),
        mtimeNs: st.mtimeNs,
        size: st.isFile() ? Number(st.size) : 0,
      };
      if (st.isFile()) info.sha256 = createHash('sha256').update(await fs.readFile(childAbs)).digest('hex');
      if (st.isSymbolicLink()) info.linkTarget = (await fs.readlink(childAbs, { encoding: 'buffer' })).toString('latin1');
      out.set(childRel.toString('latin1'), info);
      if (st.isDirectory()) await walk(childAbs, childRel);
    }
  };
  await walk(b(root), Buffer.alloc(0));
  return out;
}

/** Differences between two trees, as readable lines; empty when they are identical. */
export async function compareTrees(
  expectedRoot: string,
  actualRoot: string,
  opts: {
    symlinkMtimes?: boolean;
    /** Accepted mtime difference; 0 (exact) unless given. Node.js sets times as double seconds. */
    mtimeToleranceNs?: number;
  } = {},
): Promise<string[]> {
  const tolerance = BigInt(opts.mtimeToleranceNs ?? 0);
  const expected = await describeTree(expectedRoot);
  const actual = await describeTree(actualRoot);
  const problems: string[] = [];
  for (const [rel, e] of expected) {
    const a = actual.get(rel);
    const name = JSON.stringify(Buffer.from(rel, 'latin1').toString('utf8'));
    if (!a) {
      problems.push(`${name}: missing`);
      continue;
    }
    if (a.type !== e.type) problems.push(`${name}: type ${a.type}, expected ${e.type}`);
    if (e.type !== 'symlink' && a.mode !== e.mode) problems.push(`${name}: mode ${a.mode.toString(8)}, expected ${e.mode.toString(8)}`);
    if (a.sha256 !== e.sha256) problems.push(`${name}: content differs`);
    if (a.linkTarget !== e.linkTarget) problems.push(`${name}: link target ${a.linkTarget}, expected ${e.linkTarget}`);
    const mtimeOff = a.mtimeNs > e.mtimeNs ? a.mtimeNs - e.mtimeNs : e.mtimeNs - a.mtimeNs;
    if ((e.type !== 'symlink' || opts.symlinkMtimes) && mtimeOff > tolerance) problems.push(`${name}: mtime ${a.mtimeNs}, expected ${e.mtimeNs}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) problems.push(`${JSON.stringify(rel)}: unexpected extra entry`);
  return problems;
}

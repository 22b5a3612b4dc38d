/**
 * The benchmark's data set, reproducible from fixed seeds: a dump-like SQL text file and a
 * tree of many files (source-like text, JSON, and incompressible binaries). Built once
 * under bench/.data and reused while its recipe version is unchanged.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export const DATASET_VERSION = 'v1';

export interface DatasetSpec {
  dumpBytes: number;
  treeFiles: number;
  /** Mean size of a tree file; sizes vary from 0 to about 4x this. */
  treeMeanBytes: number;
}

export const DEFAULT_SPEC: DatasetSpec = { dumpBytes: 700 * 1024 * 1024, treeFiles: 20_000, treeMeanBytes: 20 * 1024 };

class Rng {
  #x: number;
  constructor(seed: number) {
    this.#x = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#x = x;
    return x;
  }
  below(n: number): number {
    return this.next() % n;
  }
  fill(buf: Buffer): Buffer {
    for (let i = 0; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(this.next(), i);
    return buf;
  }
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'order', 'customer', 'invoice', 'paid', 'pending', 'shipped', 'berlin', 'paris', 'tokyo', 'lima', 'oslo'];

function sqlRows(rng: Rng, firstId: number, targetBytes: number): { text: string; nextId: number } {
  const rows: string[] = [];
  let size = 0;
  let id = firstId;
  while (size < targetBytes) {
    const row = `${id}\t${WORDS[rng.below(WORDS.length)]}_${rng.below(100000)}\t${WORDS[rng.below(WORDS.length)]}\t${rng.below(10_000_000) / 100}\t2026-${String(1 + rng.below(12)).padStart(2, '0')}-${String(1 + rng.below(28)).padStart(2, '0')} ${String(rng.below(24)).padStart(2, '0')}:${String(rng.below(60)).padStart(2, '0')}:00\t${rng.below(2) ? 't' : 'f'}\n`;
    rows.push(row);
    size += row.length;
    id++;
  }
  return { text: rows.join(''), nextId: id };
}

async function writeDump(file: string, bytes: number): Promise<void> {
  const rng = new Rng(42);
  const fh = await open(file, 'w');
  try {
    let written = 0;
    let id = 1;
    await fh.write('-- PostgreSQL database dump (synthetic)\nCOPY public.orders (id, ref, city, amount, created, paid) FROM stdin;\n');
    while (written < bytes) {
      const { text, nextId } = sqlRows(rng, id, Math.min(4 * 1024 * 1024, bytes - written));
      id = nextId;
      const buf = Buffer.from(text);
      await fh.write(buf);
      written += buf.length;
    }
    await fh.write('\\.\n');
  } finally {
    await fh.close();
  }
}

/** A tree of `files` small files alone (the scale runs' file-count case), built once. */
export async function ensureTree(base: string, files: number, meanBytes: number): Promise<string> {
  const root = path.join(base, `tree-${DATASET_VERSION}-${files}-${meanBytes}`);
  if (existsSync(path.join(root, '.complete'))) return path.join(root, 'tree');
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, 'tree'), { recursive: true });
  process.stderr.write(`building ${files} files in ${root} ...\n`);
  await writeTree(path.join(root, 'tree'), { dumpBytes: 0, treeFiles: files, treeMeanBytes: meanBytes });
  await writeFile(path.join(root, '.complete'), String(files));
  return path.join(root, 'tree');
}

async function writeTree(root: string, spec: DatasetSpec): Promise<void> {
  const rng = new Rng(7);
  for (let i = 0; i < spec.treeFiles; i++) {
    const dir = path.join(root, `pkg${String(i % 40).padStart(2, '0')}`, `mod${String((i >> 4) % 25).padStart(2, '0')}`);
    if (i < 40 * 25 * 16) await mkdir(dir, { recursive: true });
    // Sizes: mostly small, a few large (exponential-ish around the mean).
    const size = Math.floor(-Math.log(1 - rng.below(1_000_000) / 1_000_001) * spec.treeMeanBytes);
    const kind = rng.below(10);
    let data: Buffer;
    if (kind < 6) {
      data = Buffer.from(sqlRows(rng, i * 1000, size).text.slice(0, size));
    } else if (kind < 8) {
      data = Buffer.from(JSON.stringify({ id: i, items: Array.from({ length: Math.ceil(size / 60) }, (_, k) => ({ k, v: WORDS[(i + k) % WORDS.length] })) }).slice(0, size));
    } else {
      data = rng.fill(Buffer.allocUnsafe(size));
    }
    const ext = kind < 6 ? 'txt' : kind < 8 ? 'json' : 'bin';
    await writeFile(path.join(dir, `file${i}.${ext}`), data);
  }
}

/** Returns the data set's root, building it when missing or from an older recipe. */
export async function ensureDataset(base: string, spec: DatasetSpec = DEFAULT_SPEC): Promise<string> {
  const key = `${DATASET_VERSION}-${spec.dumpBytes}-${spec.treeFiles}-${spec.treeMeanBytes}`;
  const root = path.join(base, `dataset-${key}`);
  if (existsSync(path.join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, 'tree'), { recursive: true });
  process.stderr.write(`building the data set in ${root} ...\n`);
  await writeDump(path.join(root, 'dump.sql'), spec.dumpBytes);
  await writeTree(path.join(root, 'tree'), spec);
  await writeFile(path.join(root, '.complete'), key);
  return root;
}

/** A file of incompressible bytes (fixed seed), beside the data set: the no-dedup, no-compression case. */
export async function ensureRandomFile(base: string, bytes: number): Promise<string> {
  const file = path.join(base, `random-${DATASET_VERSION}-${bytes}.bin`);
  if (existsSync(file)) return file;
  await mkdir(base, { recursive: true });
  const partial = `${file}.partial`;
  const rng = new Rng(99);
  const fh = await open(partial, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const piece = rng.fill(Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, bytes - written)));
      await fh.write(piece);
      written += piece.length;
    }
  } finally {
    await fh.close();
  }
  await rename(partial, file);
  return file;
}

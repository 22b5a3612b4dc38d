/**
 * How prune's memory grows with the number of blobs: builds the structures a prune holds
 * (every index entry per pack, the blob lookup, the set of used blobs) from synthetic
 * index files of N blobs, parsed as real ones are, plans, and reports heap per blob.
 * Run: node --expose-gc bench/prune-memory.ts [N ...]   (default 100000 400000 1000000)
 */
import { createHash } from 'node:crypto';
import { parseIndex, serializeIndex, type IndexPack } from '../src/engine/format/index.ts';
import { parseMaxUnused } from '../src/engine/prune/max-unused.ts';
import { planPrune } from '../src/engine/prune/plan.ts';
import { MasterIndex, type BlobKey } from '../src/engine/repository/master-index.ts';
import { expectedPackSize } from '../src/engine/repository/pack.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function hex(n: number, salt: string): string {
  return createHash('sha256').update(salt + n).digest('hex');
}

function measure(blobCount: number): void {
  const perPack = 400;
  const files: Uint8Array[] = [];
  let packs: IndexPack[] = [];
  for (let i = 0; i < blobCount; i++) {
    if (i % perPack === 0) packs.push({ id: hex(i, 'pack'), blobs: [] });
    packs[packs.length - 1]!.blobs.push({ id: hex(i, 'blob'), type: 'data', offset: (i % perPack) * 40_000, length: 40_000, uncompressedLength: 80_000 });
    if (packs.length === 300 && i % perPack === perPack - 1) {
      files.push(serializeIndex({ packs }));
      packs = [];
    }
  }
  if (packs.length) files.push(serializeIndex({ packs }));
  const before = heapMiB();
  // What prune holds: the pack table and the blob lookup from the same parsed files.
  const table = new Map<string, IndexPack['blobs']>();
  const blobs = new MasterIndex();
  files.forEach((bytes, i) => {
    const f = parseIndex(bytes);
    blobs.addIndexFile(String(i), f);
    for (const p of f.packs) table.set(p.id, p.blobs);
  });
  files.length = 0;
  // Nine blobs in ten used.
  const used = new Set<BlobKey>();
  let k = 0;
  for (const [id, loc] of blobs.entries()) if (k++ % 10 !== 0) used.add(blobs.key(loc.type, id)!);
  const sizes = new Map([...table].map(([id, b]) => [id, expectedPackSize(b)]));
  const loaded = heapMiB();
  const started = Date.now();
  const plan = planPrune({
    packs: table,
    packSizes: sizes,
    key: (t, id) => blobs.key(t, id),
    used,
    repositoryVersion: 2,
    maxUnused: parseMaxUnused('5%'),
  });
  const planned = heapMiB();
  console.log(
    `${blobCount.toLocaleString('en-US')} blobs: index+table+used ${(loaded - before).toFixed(0)} MiB ` +
      `(${(((loaded - before) * 2 ** 20) / blobCount).toFixed(0)} B/blob), plan +${(planned - loaded).toFixed(0)} MiB, ` +
      `planned in ${Date.now() - started} ms (${plan.repackPacks.length} packs to repack); RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}

for (const n of process.argv.slice(2).map(Number).filter(Boolean).length ? process.argv.slice(2).map(Number) : [100_000, 400_000, 1_000_000]) measure(n);

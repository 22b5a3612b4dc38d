/**
 * Memory per blob of the in-memory blob index (MasterIndex), loaded from synthetic index
 * files of N blobs parsed as real ones are (the files' own bytes are left out).
 * Run: node --expose-gc bench/index-memory.ts [N ...]   (default 100000 1000000)
 */
import { createHash } from 'node:crypto';
import { parseIndex, serializeIndex, type IndexPack } from '../src/engine/format/index.ts';
import { MasterIndex } from '../src/engine/repository/master-index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapBytes(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

const hex = (n: number, salt: string) => createHash('sha256').update(salt + n).digest('hex');

function indexFiles(blobCount: number): Uint8Array[] {
  // restic's shape: packs of about 400 blobs, index files of a few hundred packs.
  const files: Uint8Array[] = [];
  let packs: IndexPack[] = [];
  for (let i = 0; i < blobCount; i++) {
    if (i % 400 === 0) packs.push({ id: hex(i, 'pack'), blobs: [] });
    packs[packs.length - 1]!.blobs.push({ id: hex(i, 'blob'), type: 'data', offset: (i % 400) * 40_000, length: 40_000, uncompressedLength: 80_000 });
    if (packs.length === 300 && i % 400 === 399) {
      files.push(serializeIndex({ packs }));
      packs = [];
    }
  }
  if (packs.length) files.push(serializeIndex({ packs }));
  return files;
}

for (const n of process.argv.slice(2).map(Number).filter(Boolean).length ? process.argv.slice(2).map(Number) : [100_000, 1_000_000]) {
  const files = indexFiles(n);
  const before = heapBytes();
  const index = new MasterIndex();
  const started = performance.now();
  files.forEach((bytes, i) => index.addIndexFile(String(i), parseIndex(bytes)));
  const loadMs = performance.now() - started;
  const held = heapBytes() - before;
  console.log(`${n.toLocaleString('en-US')} blobs: ${(held / 2 ** 20).toFixed(1)} MiB, ${(held / n).toFixed(0)} bytes per blob; loaded in ${loadMs.toFixed(0)} ms (${index.blobCount} blobs)`);
}

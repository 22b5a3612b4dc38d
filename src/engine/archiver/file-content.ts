/**
 * A file's content list, using what an earlier snapshot knew about it. A fresh CI checkout
 * gives every file a new mtime and inode, so the metadata match fails and restic reads,
 * chunks and hashes everything again. Here a file with a candidate blob list (its node in
 * the parent snapshot, or the content cache) is checked piece by piece instead: the bytes
 * at each old blob's offset and length are hashed and compared with that blob's id. A
 * match proves the bytes are that blob (its id is their SHA-256), and the content-defined
 * chunker would have cut there too (below), so the rolling hash is skipped: a known file
 * costs one read and one SHA-256, as computing blob ids costs anyway.
 *
 * Why the cuts agree: the chunker starts afresh after every cut, and whether it cuts at a
 * position depends only on the bytes since the chunk began. So when the file's bytes from
 * an old cut equal an old blob, chunking from that cut would end the chunk where the old
 * one ended. Two exceptions: the old file's last blob ended at its end of file, not at a
 * cut, so it stands only when the new file ends there too; and after a mismatch, the
 * chunker runs from the mismatched piece's start until it cuts at an old cut again, where
 * checking resumes. A file changed in a few places is chunked only around the changes.
 */
import { createHash } from 'node:crypto';
import { chunkStream, MAX_CHUNK_SIZE } from '../chunker/index.ts';
import { throwIfAborted } from '../errors.ts';
import { idOf, type Id } from '../format/id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';
import { plaintextLength, type MasterIndex } from '../repository/master-index.ts';
import { readBlocks, type SavedContent } from './content-saver.ts';
import { readAt } from './fs-calls.ts';

/** A candidate content list with each blob's plaintext length. */
export interface KnownContent {
  readonly ids: readonly Id[];
  readonly lengths: readonly number[];
}

/** The candidate for a blob list, with lengths from the index; undefined if a blob is missing or too large to be a chunk. */
export function knownContent(ids: readonly Id[] | null | undefined, index: MasterIndex): KnownContent | undefined {
  if (!ids || ids.length === 0) return undefined;
  const lengths: number[] = [];
  for (const id of ids) {
    const loc = index.lookup('data', id);
    if (!loc) return undefined;
    const length = plaintextLength(loc);
    if (length <= 0 || length > MAX_CHUNK_SIZE) return undefined;
    lengths.push(length);
  }
  return { ids, lengths };
}

export interface FileContentOptions {
  signal?: AbortSignal;
  /** Bytes read from the file, as they are read. */
  onBytes?: (n: number) => void;
}

/** Reads, checks against `known` where it can, chunks the rest, and saves what is new. */
export async function saveFileContent(
  fd: number,
  size: number,
  polynomial: bigint,
  saver: BlobSaver,
  known: KnownContent | undefined,
  opts: FileContentOptions = {},
): Promise<SavedContent & { verifiedBytes: number }> {
  const content: Id[] = [];
  /** Old blob index by the offset it starts at: where checking can resume after a cut. */
  const starts = new Map<number, number>();
  if (known) {
    let at = 0;
    for (const [i, length] of known.lengths.entries()) {
      if (!starts.has(at)) starts.set(at, i);
      at += length;
    }
  }
  const last = (known?.ids.length ?? 0) - 1;
  const maxLength = known ? known.lengths.reduce((a, b) => Math.max(a, b), 0) : 0;
  let position = 0;
  let verifiedBytes = 0;
  /** Set while the content list ends with the old file's last blob: valid only at end of file. */
  let endsWithOldLast = false;
  let buffers: [Buffer, Buffer] | undefined;

  for (;;) {
    throwIfAborted(opts.signal);
    const piece = starts.get(position);
    if (piece !== undefined && (await verifyRun(piece)) === 'end') break;
    if (endsWithOldLast) {
      // The old last blob matched, but the file goes on: its end was no cut. Chunk from its start.
      const dropped = known!.lengths[last]!;
      content.pop();
      position -= dropped;
      verifiedBytes -= dropped;
      endsWithOldLast = false;
    }
    if (await chunkFrom(position)) break;
  }
  return { content, size: position, verifiedBytes };

  /**
   * Checks old blobs from `first` on while they match, moving `position` past them.
   * 'end': the old last blob matched and the file ends there. 'mismatch': `position` is at
   * the start of a blob that did not match (or the old list ran out before the file).
   */
  async function verifyRun(first: number): Promise<'end' | 'mismatch'> {
    const k = known!;
    // Two buffers: the next blob's bytes are read while the current one is hashed.
    buffers ??= [Buffer.allocUnsafeSlow(maxLength), Buffer.allocUnsafeSlow(maxLength)];
    const bufs = buffers;
    const readPiece = (i: number, at: number) => readFully(fd, bufs[i & 1]!, k.lengths[i]!, at);
    let next: Promise<number> | undefined = readPiece(first, position);
    try {
      for (let i = first; i <= last; i++) {
        throwIfAborted(opts.signal);
        const length = k.lengths[i]!;
        const got = await next!;
        next = i < last ? readPiece(i + 1, position + length) : undefined;
        opts.onBytes?.(got);
        if (got !== length) return 'mismatch';
        const bytes = bufs[i & 1]!.subarray(0, length);
        const id = k.ids[i]!;
        if (createHash('sha256').update(bytes).digest('hex') !== id) return 'mismatch';
        // Usually in the index already; if not (pruned meanwhile), these bytes are the blob.
        if (!saver.known('data', id)) await saver.save('data', new Uint8Array(bytes), id);
        content.push(id);
        position += length;
        verifiedBytes += length;
      }
    } finally {
      // A read started for a blob that will not be checked must end before the buffer is reused.
      await next?.catch(() => {});
    }
    endsWithOldLast = true;
    return (await readAt(fd, bufs[0]!, 1, position)) === 0 ? 'end' : 'mismatch';
  }

  /** Chunks from `from` until a cut lands on an old blob's start (false) or the file ends (true). */
  async function chunkFrom(from: number): Promise<boolean> {
    for await (const chunk of chunkStream(countedBlocks(from), polynomial)) {
      const id = idOf(chunk);
      content.push(id);
      await saver.save('data', chunk, id);
      position += chunk.byteLength;
      if (starts.has(position)) return false;
    }
    return true;
  }

  async function* countedBlocks(from: number): AsyncGenerator<Uint8Array> {
    for await (const block of readBlocks(fd, size - from, from)) {
      throwIfAborted(opts.signal);
      opts.onBytes?.(block.byteLength);
      yield block;
    }
  }
}

/** `length` bytes at `position`, fewer only at the end of the file. */
async function readFully(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  let n = 0;
  while (n < length) {
    const got = await readAt(fd, buffer.subarray(n), length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

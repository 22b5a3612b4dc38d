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
import { chunkStream, MAX_CHUNK_SIZE } from '../chunker/index.ts';
import { throwIfAborted } from '../errors.ts';
import { sharedBlobEncoderPool, type HashedBlob } from '../blob-codec/encoder-pool.ts';
import type { Id } from '../format/id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';
import { plaintextLength, type MasterIndex } from '../repository/master-index.ts';
import { ChunkSaver, readBlocks, type SavedContent } from './content-saver.ts';
import { readAt } from './fs-calls.ts';

/** Bytes of blobs read and hashed ahead of the one being compared, per file (at least two blobs). */
const VERIFY_AHEAD_BYTES = 12 * 1024 * 1024;

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
  /** Read buffers not in use, kept for the next blobs. */
  const spare: Buffer[] = [];
  const pool = sharedBlobEncoderPool();

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
    // Blobs are read and hashed (on the encoder pool's workers, so on both cores) a few
    // ahead of the one being compared; their buffers go round between reads and hashes.
    const depth = Math.max(2, Math.min(4, Math.floor(VERIFY_AHEAD_BYTES / maxLength)));
    const ahead: { i: number; result: Promise<HashedBlob | undefined> }[] = [];
    let nextPiece = first;
    let nextAt = position;
    const refill = () => {
      while (ahead.length < depth && nextPiece <= last) {
        const i = nextPiece++;
        const length = k.lengths[i]!;
        const at = nextAt;
        nextAt += length;
        const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(maxLength);
        const result = readFully(fd, buffer, length, at).then((got) => {
          opts.onBytes?.(got);
          return got === length ? pool.hash(buffer, length) : undefined;
        });
        ahead.push({ i, result });
      }
    };
    try {
      refill();
      while (ahead.length > 0) {
        throwIfAborted(opts.signal);
        const { i, result } = ahead.shift()!;
        const hashed = await result;
        if (!hashed) return 'mismatch';
        const length = k.lengths[i]!;
        const id = k.ids[i]!;
        if (hashed.id !== id) return 'mismatch';
        // Usually in the index already; if not (pruned meanwhile), these bytes are the blob.
        if (!saver.known('data', id)) await saver.save('data', hashed.data.slice(0, length), id);
        spare.push(Buffer.from(hashed.data.buffer, hashed.data.byteOffset, hashed.data.byteLength));
        content.push(id);
        position += length;
        verifiedBytes += length;
        refill();
      }
    } finally {
      // Reads and hashes started for blobs that will not be compared must end first.
      await Promise.allSettled(ahead.splice(0).map((a) => a.result));
    }
    endsWithOldLast = true;
    return (await readAt(fd, Buffer.allocUnsafe(1), 1, position)) === 0 ? 'end' : 'mismatch';
  }

  /** Chunks from `from` until a cut lands on an old blob's start (false) or the file ends (true). */
  async function chunkFrom(from: number): Promise<boolean> {
    const chunks = new ChunkSaver(saver, content);
    try {
      for await (const chunk of chunkStream(countedBlocks(from), polynomial)) {
        position += chunk.byteLength;
        await chunks.add(chunk);
        if (starts.has(position)) {
          await chunks.finish();
          return false;
        }
      }
      await chunks.finish();
      return true;
    } finally {
      await chunks.settle();
    }
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

/**
 * Turns a byte stream (a file, or a dump command's output) into the content list of a
 * file node: chunk it, hash each chunk, hand new chunks to the BlobSaver. Memory per
 * stream is one read block plus one chunk (at most 8 MiB), whatever the stream's length.
 */
import type { FileHandle } from 'node:fs/promises';
import { Chunker } from '../chunker/index.ts';
import { throwIfAborted } from '../errors.ts';
import { idOf, type Id } from '../id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';

export const READ_BLOCK_BYTES = 4 * 1024 * 1024;

export interface SavedContent {
  content: Id[];
  size: number;
}

export async function saveContent(
  source: AsyncIterable<Uint8Array>,
  polynomial: bigint,
  saver: BlobSaver,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<SavedContent> {
  const chunker = new Chunker(polynomial);
  chunker.reset();
  const content: Id[] = [];
  let size = 0;
  let parts: Uint8Array[] = [];

  const emit = async () => {
    const chunk = Buffer.concat(parts);
    parts = [];
    const id = idOf(chunk);
    content.push(id);
    await saver.save('data', chunk, id);
  };

  for await (const block of source) {
    throwIfAborted(opts.signal);
    size += block.byteLength;
    let start = 0;
    while (start < block.byteLength) {
      const cut = chunker.next(block, start, block.byteLength);
      if (cut < 0) {
        parts.push(block.subarray(start));
        break;
      }
      parts.push(block.subarray(start, cut));
      start = cut;
      await emit();
    }
    opts.onBytes?.(block.byteLength);
  }
  if (parts.length > 0) await emit();
  return { content, size };
}

/** Reads an open file from the start in fresh blocks (the chunker keeps references to them). */
export async function* readBlocks(fh: FileHandle, expectedSize: number): AsyncGenerator<Uint8Array> {
  let position = 0;
  for (;;) {
    // Size the first block to the file (plus one byte to see the end), so a small file
    // costs one allocation and one read; a short read of a regular file means its end.
    const want = position === 0 && expectedSize < READ_BLOCK_BYTES ? expectedSize + 1 : READ_BLOCK_BYTES;
    const block = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(block, 0, want, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    if (bytesRead < want) {
      yield block.subarray(0, bytesRead);
      return;
    }
    yield block;
  }
}

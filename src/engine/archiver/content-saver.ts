/**
 * Turns a byte stream (a file, or a dump command's output) into the content list of a
 * file node: chunk it, hash each chunk, hand new chunks to the BlobSaver. Memory per
 * stream is one read block plus one partial chunk (at most 8 MiB), whatever its length.
 */
import { Chunker, MAX_CHUNK_SIZE } from '../chunker/index.ts';
import { throwIfAborted } from '../errors.ts';
import { idOf, type Id } from '../id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';
import { readAt } from './fs-calls.ts';

export const READ_BLOCK_BYTES = 4 * 1024 * 1024;

export interface SavedContent {
  content: Id[];
  size: number;
}

/**
 * Chunks `source` and saves the chunks. A block from the source only has to stay valid
 * until the next one is requested: bytes kept across blocks are copied, so a reader can
 * reuse one buffer for a whole file.
 */
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
  // The start of the current chunk, when it began in an earlier block.
  let carry: Uint8Array | undefined;
  let carried = 0;

  const emit = async (tail: Uint8Array) => {
    // A chunk gets its own exactly-sized memory (the saver may move it to a worker thread),
    // left uninitialised because every byte is written below.
    const chunk = new Uint8Array(Buffer.allocUnsafeSlow(carried + tail.byteLength).buffer);
    if (carried > 0) chunk.set(carry!.subarray(0, carried));
    chunk.set(tail, carried);
    carried = 0;
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
        const rest = block.subarray(start);
        if (!carry || carry.byteLength < carried + rest.byteLength) {
          const grown = new Uint8Array(Math.min(MAX_CHUNK_SIZE, Math.max(2 * (carried + rest.byteLength), 64 * 1024)));
          if (carry) grown.set(carry.subarray(0, carried));
          carry = grown;
        }
        carry.set(rest, carried);
        carried += rest.byteLength;
        break;
      }
      await emit(block.subarray(start, cut));
      start = cut;
    }
    opts.onBytes?.(block.byteLength);
  }
  if (carried > 0) await emit(new Uint8Array(0));
  return { content, size };
}

/**
 * Reads an open file from the start with two alternating buffers: the next block is read
 * while the caller chunks and hashes the current one (saveContent copies what it keeps,
 * so a buffer can be refilled once the caller asks for the block after it). Only a read
 * of 0 bytes ends the file: network and FUSE file systems may return short reads.
 */
export async function* readBlocks(fd: number, expectedSize: number): AsyncGenerator<Uint8Array> {
  const size = Math.min(Math.max(expectedSize + 1, 64 * 1024), READ_BLOCK_BYTES);
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let position = 0;
  let turn = 0;
  let pending: Promise<number> | undefined = readAt(fd, buffers[0]!, size, 0);
  try {
    for (;;) {
      const bytesRead: number = await pending!;
      pending = undefined;
      if (bytesRead === 0) return;
      const block = buffers[turn]!;
      position += bytesRead;
      turn ^= 1;
      pending = readAt(fd, buffers[turn]!, size, position);
      yield block.subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early must not leave a read running on a descriptor about to
    // be closed (its failure would surface as an unhandled rejection).
    await pending?.catch(() => {});
  }
}

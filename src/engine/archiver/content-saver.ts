/**
 * Turns a byte stream (a file, or a dump command's output) into the content list of a
 * file node: chunk it, hash each chunk, hand new chunks to the BlobSaver. Memory per
 * stream is one read block, one partial chunk and the chunks being hashed (each at most
 * 8 MiB), whatever its length.
 */
import { chunkStream } from '../chunker/index.ts';
import { throwIfAborted } from '../errors.ts';
import { sharedBlobEncoderPool, type HashedBlob } from '../blob-codec/encoder-pool.ts';
import type { Id } from '../format/id.ts';
import type { BlobSaver } from '../repository/blob-saver.ts';
import { readAt } from './fs-calls.ts';

export const READ_BLOCK_BYTES = 4 * 1024 * 1024;

export interface SavedContent {
  content: Id[];
  size: number;
}

/**
 * Chunks `source` and saves the chunks. A block from the source only has to stay valid
 * until the next one is requested (chunkStream copies what it keeps), so a reader can
 * reuse its buffers for a whole file.
 */
export async function saveContent(
  source: AsyncIterable<Uint8Array>,
  polynomial: bigint,
  saver: BlobSaver,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<SavedContent> {
  const content: Id[] = [];
  let size = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const block of source) {
      throwIfAborted(opts.signal);
      size += block.byteLength;
      yield block;
      opts.onBytes?.(block.byteLength);
    }
  }
  const chunks = new ChunkSaver(saver, content);
  try {
    for await (const chunk of chunkStream(counted(), polynomial)) await chunks.add(chunk);
    await chunks.finish();
  } finally {
    await chunks.settle();
  }
  return { content, size };
}

/** Chunks whose ids are being computed on the encoder workers at once, per stream. */
const HASHES_IN_FLIGHT = 3;

/**
 * Saves chunks in order, their ids computed on the encoder pool's workers while the
 * caller chunks on: SHA-256 then runs beside the chunker, on the other core, instead of
 * after it on this thread. Each chunk must own its memory (chunkStream's do): it moves
 * to a worker and back without a copy.
 */
export class ChunkSaver {
  readonly #saver: BlobSaver;
  readonly #content: Id[];
  readonly #pool = sharedBlobEncoderPool();
  readonly #hashing: Promise<HashedBlob>[] = [];

  /** Appends each chunk's id to `content`, in order. */
  constructor(saver: BlobSaver, content: Id[]) {
    this.#saver = saver;
    this.#content = content;
  }

  /** Starts hashing a chunk; waits for the oldest when enough are in flight. */
  async add(chunk: Uint8Array): Promise<void> {
    this.#hashing.push(this.#pool.hash(chunk));
    if (this.#hashing.length >= HASHES_IN_FLIGHT) await this.#takeOldest();
  }

  /** Saves every chunk added. */
  async finish(): Promise<void> {
    while (this.#hashing.length > 0) await this.#takeOldest();
  }

  /** After a failure: lets hashes still running end, so that none rejects unobserved. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#hashing.splice(0));
  }

  async #takeOldest(): Promise<void> {
    const { id, data } = await this.#hashing.shift()!;
    this.#content.push(id);
    await this.#saver.save('data', data, id);
  }
}

/**
 * Reads an open file from `from` (its start by default) with two alternating buffers: the next block is read
 * while the caller chunks and hashes the current one (saveContent copies what it keeps,
 * so a buffer can be refilled once the caller asks for the block after it). Only a read
 * of 0 bytes ends the file: network and FUSE file systems may return short reads.
 */
export async function* readBlocks(fd: number, expectedSize: number, from = 0): AsyncGenerator<Uint8Array> {
  const size = Math.min(Math.max(expectedSize + 1, 64 * 1024), READ_BLOCK_BYTES);
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let position = from;
  let turn = 0;
  let pending: Promise<number> | undefined = readAt(fd, buffers[0]!, size, position);
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

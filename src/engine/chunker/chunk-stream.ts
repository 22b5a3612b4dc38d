/** Async wrapper: splits a byte stream into restic chunks. */
import { Chunker, MAX_CHUNK_SIZE } from './chunker.ts';

/**
 * Splits a stream into chunks (Uint8Array copies, each <= MAX_CHUNK_SIZE); memory stays
 * bounded whatever the input length. Input pieces can have any size.
 *
 * Bytes are copied out of each piece before the next one is requested, so a source may
 * reuse its buffer between pieces.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  pol: bigint,
): AsyncGenerator<Uint8Array> {
  const chunker = new Chunker(pol);
  // Holds the current chunk's bytes from earlier pieces; allocated on first need.
  let pending: Uint8Array | undefined;
  let pendingLength = 0;
  for await (const piece of source) {
    let start = 0;
    while (start < piece.length) {
      const cut = chunker.next(piece, start, piece.length);
      const stop = cut < 0 ? piece.length : cut;
      if (cut >= 0 && pendingLength === 0) {
        // Whole chunk inside this piece: one copy. (Not piece.slice: on a Buffer that is a view.)
        yield new Uint8Array(piece.subarray(start, stop));
      } else {
        pending ??= new Uint8Array(MAX_CHUNK_SIZE);
        pending.set(piece.subarray(start, stop), pendingLength);
        pendingLength += stop - start;
        if (cut >= 0) {
          const chunk = pending.slice(0, pendingLength);
          pendingLength = 0;
          yield chunk;
        }
      }
      start = stop;
    }
  }
  if (pending && pendingLength > 0) yield pending.slice(0, pendingLength);
}

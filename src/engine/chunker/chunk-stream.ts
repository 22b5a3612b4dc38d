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
      if (cut < 0) {
        // The chunk goes on: keep a copy, the source may reuse this piece's memory.
        pending ??= new Uint8Array(MAX_CHUNK_SIZE);
        pending.set(piece.subarray(start), pendingLength);
        pendingLength += piece.length - start;
        break;
      }
      // One exact-size copy per chunk; bytes of this piece are copied only once. Left
      // uninitialised: every byte is written just below.
      const chunk = new Uint8Array(Buffer.allocUnsafeSlow(pendingLength + cut - start).buffer);
      if (pending && pendingLength > 0) chunk.set(pending.subarray(0, pendingLength));
      chunk.set(piece.subarray(start, cut), pendingLength);
      pendingLength = 0;
      start = cut;
      yield chunk;
    }
  }
  if (pending && pendingLength > 0) yield pending.slice(0, pendingLength);
}

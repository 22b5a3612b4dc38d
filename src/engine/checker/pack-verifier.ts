/**
 * read-data for one pack (restic-format.md 5, 12): stream the whole file once, hashing it
 * and verifying each indexed blob as its bytes arrive (MAC, decompression, SHA-256 of the
 * plaintext), then parse the header and compare it entry by entry with the index.
 *
 * Memory stays bounded whatever the pack size: the file is read in segments (one in use,
 * one prefetched), a blob is copied only when it spans segments, and decoding is limited
 * by a budget of plaintext bytes, so a segment full of highly compressible blobs cannot
 * expand into gigabytes at once.
 */
import { createHash } from 'node:crypto';
import type { Handle } from '../storage/backend.ts';
import { Semaphore } from '../support/concurrency.ts';
import { SEAL_OVERHEAD } from '../crypto/index.ts';
import { errorMessage } from '../errors.ts';
import { formatBytes } from '../support/human.ts';
import type { IndexBlob } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { plaintextLength, type BlobLocation } from '../repository/master-index.ts';
import { parsePackHeader } from '../repository/pack.ts';
import type { Repository } from '../repository/repository.ts';
import { rethrowIfAborted } from './abort.ts';
import type { FindingList } from './findings.ts';
import { entryKey } from './pack-table.ts';

/** Bytes per read request. */
export const READ_SEGMENT_BYTES = 4 * 1024 * 1024;
/** Plaintext bytes being decoded at once, per pack. */
const DECODE_BUDGET_BYTES = 32 * 1024 * 1024;
/**
 * Largest blob we verify (stored or plaintext). restic's chunks are at most 8 MiB; a
 * larger declaration is corrupt or hostile, and is not allocated.
 */
export const MAX_BLOB_BYTES = 128 * 1024 * 1024;

export interface PackVerifyResult {
  bytesRead: number;
  blobsRead: number;
  /** False when the pack could not be read through, so its blobs were not all verified. */
  complete: boolean;
}

interface Pending {
  readonly blob: IndexBlob;
  readonly end: number;
  buf?: Uint8Array;
}

/**
 * Verifies pack `packId` of `size` bytes (its real size) against its index entries.
 * Problems become findings; only cancellation throws.
 */
export async function verifyPack(
  repo: Repository,
  packId: Id,
  size: number,
  entries: readonly IndexBlob[],
  findings: FindingList,
  signal?: AbortSignal,
): Promise<PackVerifyResult> {
  const h: Handle = { type: 'data', name: packId };
  const result: PackVerifyResult = { bytesRead: 0, blobsRead: 0, complete: false };
  const sorted = [...entries].sort((a, b) => a.offset - b.offset || a.length - b.length);
  checkContiguous(packId, sorted, findings);

  const corrupt = (b: IndexBlob, message: string) => {
    const f = findings.error('blob-corrupt', message, { packId, blobId: b.id, blobType: b.type });
    findings.suspectBlob(b.type, b.id, f);
  };
  const pending: Pending[] = [];
  for (const b of sorted) {
    const plain = b.uncompressedLength ?? b.length;
    if (b.length < SEAL_OVERHEAD) {
      corrupt(b, `${b.type} blob ${b.id} in pack ${packId}: the index gives it ${b.length} bytes, less than the ${SEAL_OVERHEAD}-byte encryption overhead`);
    } else if (b.offset + b.length > size) {
      corrupt(b, `${b.type} blob ${b.id} in pack ${packId}: the index places it at ${b.offset}+${b.length}, past the end of the ${size}-byte pack`);
    } else if (b.length > MAX_BLOB_BYTES || plain > MAX_BLOB_BYTES) {
      corrupt(b, `${b.type} blob ${b.id} in pack ${packId}: declared ${Math.max(b.length, plain)} bytes, more than the ${formatBytes(MAX_BLOB_BYTES)} a blob may have`);
    } else {
      pending.push({ blob: b, end: b.offset + b.length });
    }
  }

  const budget = new Semaphore(DECODE_BUDGET_BYTES);
  const decode = async (b: IndexBlob, sealed: Uint8Array): Promise<void> => {
    const loc: BlobLocation = { packId, type: b.type, offset: b.offset, length: b.length, uncompressedLength: b.uncompressedLength ?? 0 };
    const taken = await budget.acquire(Math.max(1, plaintextLength(loc)));
    try {
      result.blobsRead++;
      await repo.decodeBlob(b.id, loc, sealed);
    } catch (e) {
      rethrowIfAborted(e, signal);
      corrupt(b, errorMessage(e));
    } finally {
      budget.release(taken);
    }
  };

  const hash = createHash('sha256');
  const load = (offset: number): Promise<Uint8Array> => {
    const p = repo.backend.load(h, Math.min(READ_SEGMENT_BYTES, size - offset), offset, { signal });
    p.catch(() => {}); // an abandoned prefetch must not be an unhandled rejection
    return p;
  };
  let last: Uint8Array | undefined;
  let pos = 0;
  let started = 0;
  let active: Pending[] = [];
  const inFlight: Promise<void>[] = [];
  try {
    let next = size > 0 ? load(0) : undefined;
    while (next) {
      const segment = await next;
      if (segment.byteLength === 0) throw new Error(`the storage returned no bytes at offset ${pos} of ${size}`);
      const segEnd = pos + segment.byteLength;
      next = segEnd < size ? load(segEnd) : undefined;
      result.bytesRead += segment.byteLength;
      hash.update(segment);
      while (started < pending.length && pending[started]!.blob.offset < segEnd) active.push(pending[started++]!);
      const stillActive: Pending[] = [];
      for (const p of active) {
        const { offset } = p.blob;
        const from = Math.max(offset, pos);
        const to = Math.min(p.end, segEnd);
        let sealed: Uint8Array | undefined;
        if (offset >= pos && p.end <= segEnd) {
          sealed = segment.subarray(offset - pos, p.end - pos);
        } else {
          p.buf ??= new Uint8Array(p.blob.length);
          if (from < to) p.buf.set(segment.subarray(from - pos, to - pos), from - offset);
          if (p.end <= segEnd) sealed = p.buf;
        }
        if (sealed) inFlight.push(decode(p.blob, sealed));
        else stillActive.push(p);
      }
      active = stillActive;
      // Decoding overlaps the prefetch of the next segment, and ends before the one after.
      await Promise.all(inFlight.splice(0));
      last = segment;
      pos = segEnd;
    }
    result.complete = true;
  } catch (e) {
    await Promise.allSettled(inFlight.splice(0));
    rethrowIfAborted(e, signal);
    const f = findings.error('pack-unreadable', `pack ${packId} cannot be read: ${errorMessage(e)}`, { packId });
    // Blobs verified before the failure are fine; the rest are unknown.
    for (const p of [...active, ...pending.slice(started)]) findings.suspectBlob(p.blob.type, p.blob.id, f);
    return result;
  }

  const digest = hash.digest('hex');
  if (digest !== packId) {
    findings.error('pack-hash-mismatch', `pack ${packId}: its content hashes to ${digest}, not to its name`, { packId });
  }
  await compareHeader(repo, packId, size, last, sorted, findings, result, signal);
  return result;
}

/** restic's sanity check of the index: entries cover the blob area from 0 without gaps or overlap. */
function checkContiguous(packId: Id, sorted: readonly IndexBlob[], findings: FindingList): void {
  if (sorted.length === 0) {
    findings.error('pack-index-inconsistent', `pack ${packId}: the index names the pack but lists no blobs in it`, { packId });
    return;
  }
  let end = 0;
  for (const b of sorted) {
    if (b.offset !== end) {
      const what = b.offset > end ? `a gap of ${b.offset - end} bytes` : `an overlap of ${end - b.offset} bytes`;
      findings.error('pack-index-inconsistent', `pack ${packId}: the index entries have ${what} before ${b.type} blob ${b.id} at offset ${b.offset}`, {
        packId,
        blobId: b.id,
        blobType: b.type,
      });
      return;
    }
    end = b.offset + b.length;
  }
}

async function compareHeader(
  repo: Repository,
  packId: Id,
  size: number,
  tail: Uint8Array | undefined,
  indexEntries: readonly IndexBlob[],
  findings: FindingList,
  result: PackVerifyResult,
  signal: AbortSignal | undefined,
): Promise<void> {
  let header: IndexBlob[];
  try {
    let parsed = parsePackHeader(repo.key, tail ?? new Uint8Array(0), size);
    if ('needBytes' in parsed) {
      // The header is longer than the last segment: read exactly what it needs.
      const more = await repo.backend.load({ type: 'data', name: packId }, parsed.needBytes, size - parsed.needBytes, { signal });
      result.bytesRead += more.byteLength;
      parsed = parsePackHeader(repo.key, more, size);
      if ('needBytes' in parsed) throw new Error('the header length changed between reads');
    }
    header = parsed.blobs;
  } catch (e) {
    rethrowIfAborted(e, signal);
    findings.error('pack-header-unreadable', `pack ${packId}: the header cannot be read: ${errorMessage(e)}`, { packId });
    return;
  }
  const inIndex = new Set(indexEntries.map(entryKey));
  const inHeader = new Set(header.map(entryKey));
  const onlyHeader = header.filter((b) => !inIndex.has(entryKey(b)));
  const onlyIndex = indexEntries.filter((b) => !inHeader.has(entryKey(b)));
  if (onlyHeader.length === 0 && onlyIndex.length === 0) return;
  const parts: string[] = [];
  if (onlyHeader.length > 0) parts.push(`${onlyHeader.length} header entr${onlyHeader.length === 1 ? 'y is' : 'ies are'} not in the index (e.g. ${describe(onlyHeader[0]!)})`);
  if (onlyIndex.length > 0) parts.push(`${onlyIndex.length} index entr${onlyIndex.length === 1 ? 'y is' : 'ies are'} not in the header (e.g. ${describe(onlyIndex[0]!)})`);
  const example = onlyIndex[0] ?? onlyHeader[0]!;
  findings.error('pack-header-mismatch', `pack ${packId}: the header and the index disagree: ${parts.join('; ')}`, {
    packId,
    blobId: example.id,
    blobType: example.type,
  });
}

function describe(b: IndexBlob): string {
  const ul = b.uncompressedLength ? `, ${b.uncompressedLength} uncompressed` : '';
  return `${b.type} blob ${b.id.slice(0, 8)} at ${b.offset}, ${b.length} bytes${ul}`;
}

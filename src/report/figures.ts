/**
 * The backup figures people read, defined once for the progress lines, the final log
 * lines, the step outputs, the job summary and the CLI:
 *
 * - processed: plaintext bytes of every file read or found unchanged (the backup's size).
 * - new data: plaintext bytes of the data blobs the repository did not have yet.
 * - added: what the repository grew by (packs, index files, snapshot file), as stored:
 *   compressed and encrypted.
 * - dedup ratio = processed / new data: how many times over the processed bytes are
 *   covered by what was already stored. "n/a" when nothing is new (the ratio is
 *   infinite); above 1000x it says "> 1000x" (a one-line change in a large tree gives
 *   57630x, a figure that says no more than "almost everything was already there").
 * - compression ratio = new data / the new blobs as stored. "n/a" under 64 KiB of new
 *   data: the new tree blobs and the per-blob overhead, which the stored size includes,
 *   then outweigh the file data and the figure would read as 0.2x.
 */
import { formatBytes, formatRate, significant } from '../engine/index.ts';

/** Below this much new data a compression ratio measures overheads, not compression. */
export const MIN_COMPRESSION_SAMPLE_BYTES = 64 * 1024;

/** Above this, a dedup ratio says only "nearly all of it was already stored". */
const MAX_SHOWN_RATIO = 1000;

export const NOT_APPLICABLE = 'n/a';

export interface BackupFigureInput {
  bytesProcessed: number;
  dataAdded: number;
  dataAddedPacked: number;
}

/** processed / new data; undefined when nothing is new. */
export function dedupRatio(f: BackupFigureInput): number | undefined {
  return f.dataAdded > 0 ? f.bytesProcessed / f.dataAdded : undefined;
}

/** new data / stored new blobs; undefined when too little is new to say. */
export function compressionRatio(f: BackupFigureInput): number | undefined {
  return f.dataAdded >= MIN_COMPRESSION_SAMPLE_BYTES && f.dataAddedPacked > 0 ? f.dataAdded / f.dataAddedPacked : undefined;
}

/** "2.12x", "> 1000x" or "n/a". */
export function ratioText(ratio: number | undefined): string {
  if (ratio === undefined) return NOT_APPLICABLE;
  return ratio > MAX_SHOWN_RATIO ? `> ${MAX_SHOWN_RATIO}x` : `${significant(ratio)}x`;
}

/** The two ratios as people read them, with what "n/a" means when it is one. */
export function dedupText(f: BackupFigureInput): string {
  return f.dataAdded > 0 ? ratioText(dedupRatio(f)) : `${NOT_APPLICABLE} (nothing new)`;
}

export function compressionText(f: BackupFigureInput): string {
  if (f.dataAdded === 0) return `${NOT_APPLICABLE} (nothing new)`;
  const r = compressionRatio(f);
  return r === undefined ? `${NOT_APPLICABLE} (under ${formatBytes(MIN_COMPRESSION_SAMPLE_BYTES)} new)` : ratioText(r);
}

/** The output value of a ratio: its figure with 3 significant digits, or '' when n/a. */
export function ratioOutput(ratio: number | undefined): string {
  return ratio === undefined ? '' : significant(ratio);
}

/** Speed of a backup: processed bytes per second, so that an unchanged backup does not read "0 B/s". */
export function processingRate(bytesProcessed: number, elapsedMs: number): string {
  return formatRate(bytesProcessed, elapsedMs);
}

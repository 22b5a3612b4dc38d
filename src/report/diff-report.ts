/**
 * restic 0.14's diff output, for the CLI and the action's log: one line per change, then
 * the statistics block; or, with --json, one JSON object per line of each.
 * Sizes are written by formatBytes, as every figure for people in chunkvault (restic has
 * its own "%.3f MiB" style); the JSON has the exact byte counts.
 */
import { formatBytes, goJsonString, type DiffChange, type DiffCounts, type DiffResult } from '../engine/index.ts';

/** restic's `%-5s%v`: the modifier padded to five columns, then the path. */
export function diffChangeLine(c: DiffChange): string {
  return c.modifier.padEnd(5) + c.path;
}

/** restic's change message: {"message_type":"change","path":...,"modifier":...}, Go's escaping. */
export function diffChangeJson(c: DiffChange): string {
  return `{"message_type":"change","path":${goJsonString(c.path)},"modifier":${goJsonString(c.modifier)}}`;
}

/** The closing block, after an empty line, in restic's layout. */
export function diffStatisticsLines(r: DiffResult): string[] {
  const n = (v: number) => String(v).padStart(5);
  return [
    '',
    `Files:       ${n(r.added.files)} new, ${n(r.removed.files)} removed, ${n(r.changedFiles)} changed`,
    `Dirs:        ${n(r.added.dirs)} new, ${n(r.removed.dirs)} removed`,
    `Others:      ${n(r.added.others)} new, ${n(r.removed.others)} removed`,
    `Data Blobs:  ${n(r.added.dataBlobs)} new, ${n(r.removed.dataBlobs)} removed`,
    `Tree Blobs:  ${n(r.added.treeBlobs)} new, ${n(r.removed.treeBlobs)} removed`,
    `  Added:   ${formatBytes(r.added.bytes).padEnd(5)}`,
    `  Removed: ${formatBytes(r.removed.bytes).padEnd(5)}`,
  ];
}

/**
 * restic's statistics message. source_snapshot and target_snapshot are the references as
 * the user wrote them (e.g. "latest" or a prefix), as restic writes them.
 */
export function diffStatisticsJson(r: DiffResult, fromRef: string, toRef: string): string {
  return (
    `{"message_type":"statistics","source_snapshot":${goJsonString(fromRef)},"target_snapshot":${goJsonString(toRef)},` +
    `"changed_files":${r.changedFiles},"added":${countsJson(r.added)},"removed":${countsJson(r.removed)}}`
  );
}

function countsJson(c: DiffCounts): string {
  return `{"files":${c.files},"dirs":${c.dirs},"others":${c.others},"data_blobs":${c.dataBlobs},"tree_blobs":${c.treeBlobs},"bytes":${c.bytes}}`;
}

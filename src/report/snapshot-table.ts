/** A snapshot listing as a text table, for the CLI and the action's log. */
import { formatBytes, formatCount, type SnapshotEntry, type SnapshotListGroup } from '../engine/index.ts';
import { snapshotTimeText } from './snapshot-time.ts';

/**
 * One table per group (oldest first, as restic prints them) under restic's group header,
 * then the count. A Description column appears when a snapshot has one, a Partial column
 * (what its backup could not read) when a snapshot is partial.
 */
export function snapshotTableLines(groups: readonly SnapshotListGroup[]): string[] {
  const lines: string[] = [];
  let count = 0;
  for (const g of groups) {
    if (g.key) lines.push(`snapshots for ${describeKey(g.key)}:`);
    lines.push(...table(g.snapshots), '');
    count += g.snapshots.length;
  }
  lines.push(`${count} snapshot${count === 1 ? '' : 's'}`);
  return lines;
}

function describeKey(key: NonNullable<SnapshotListGroup['key']>): string {
  const parts: string[] = [];
  if (key.hostname !== '') parts.push(`host [${key.hostname}]`);
  if (key.tags !== null) parts.push(`tags [${key.tags.join(', ')}]`);
  if (key.paths !== null) parts.push(`paths [${key.paths.join(', ')}]`);
  return parts.join(', ');
}

function table(list: readonly SnapshotEntry[]): string[] {
  const withDescription = list.some((s) => s.snapshot.description);
  const withPartial = list.some((s) => s.snapshot.readErrors);
  const head = ['ID', 'Time', 'Host', 'Tags', 'Size', 'Paths', ...(withPartial ? ['Partial'] : []), ...(withDescription ? ['Description'] : [])];
  const rows = list.map((s) => [
    s.id.slice(0, 8),
    snapshotTimeText(s.snapshot.time),
    s.snapshot.hostname ?? '',
    (s.snapshot.tags ?? []).join(','),
    s.snapshot.summary ? formatBytes(s.snapshot.summary.totalBytesProcessed) : '',
    s.snapshot.paths.join(', '),
    ...(withPartial ? [s.snapshot.readErrors ? `${formatCount(s.snapshot.readErrors)} not read` : ''] : []),
    ...(withDescription ? [(s.snapshot.description ?? '').replace(/\s+/g, ' ')] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

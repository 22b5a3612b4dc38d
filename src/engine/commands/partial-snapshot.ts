/**
 * A partial snapshot: one written by a backup that could not read some of its files. It
 * is a real snapshot (and `latest` picks it, as restic does), but whoever restores it must
 * be told that it is not whole.
 */
import { formatCount } from '../support/human.ts';
import type { SnapshotEntry } from '../repository/repository.ts';

/** The one-line warning for restoring `entry`, or undefined when it is whole. */
export function partialSnapshotWarning(entry: SnapshotEntry): string | undefined {
  const n = entry.snapshot.readErrors;
  if (!n) return undefined;
  return (
    `snapshot ${entry.id.slice(0, 8)} is partial: ${formatCount(n)} file${n === 1 ? '' : 's'} or director${n === 1 ? 'y' : 'ies'} ` +
    `could not be read when it was made and ${n === 1 ? 'is' : 'are'} not in it`
  );
}

/**
 * Failures that only the command line can explain: a snapshot reference that found nothing
 * is named with the flags that chose it, so the message says what to change.
 */
import { errorMessage, isSnapshotNotFound } from '../engine/index.ts';

const FILTER_FLAGS = ['host', 'tag', 'path'] as const;

/** The error's message, with the flags to change when it is about a snapshot reference. */
export function messageNamingFlag(e: unknown, values: Readonly<Record<string, unknown>>): string {
  if (!isSnapshotNotFound(e)) return errorMessage(e);
  if (e.ref !== 'latest') return `${e.message} ('chunkvault snapshots' lists them)`;
  const set = FILTER_FLAGS.filter((flag) => values[flag] !== undefined);
  if (set.length === 0) return `${e.message}: check the repository (-r), or back up first`;
  return `${e.message}: check ${set.map((f) => `--${f}`).join(', ')}`;
}

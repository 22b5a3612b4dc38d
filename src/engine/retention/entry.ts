/**
 * What the retention engine decides about: a snapshot with its id and the UTC offset its
 * time was written with. restic writes its snapshots in the local zone of the machine
 * that made them (`2024-03-01T02:00:00+01:00`) and buckets them by that wall clock;
 * our Snapshot keeps only the instant, so the offset travels beside it.
 */
import { asObject } from '../format/fields.ts';
import { parseJson, parseSnapshot } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { SnapshotEntry } from '../repository/repository.ts';

export interface RetentionEntry extends SnapshotEntry {
  /**
   * Seconds east of UTC of the offset written in the snapshot's `time` (`+05:30` is
   * 19800, `+00:00` is 0); undefined when it was written with `Z` (what chunkvault writes).
   * @default undefined (UTC)
   */
  readonly recordedOffsetSeconds?: number;
}

const ZONE_SUFFIX = /(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The offset of an RFC 3339 time text: undefined for `Z` (or no zone), seconds for `±hh:mm`. */
export function recordedOffsetSeconds(timeText: string): number | undefined {
  const m = ZONE_SUFFIX.exec(timeText);
  if (m === null || m[1] === undefined) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return m[1] === '-' ? -seconds : seconds;
}

/** A retention entry from a snapshot file's decrypted JSON (e.g. Repository.loadUnpacked('snapshot', id)). */
export function retentionEntryFromDocument(id: Id, json: Uint8Array): RetentionEntry {
  const snapshot = parseSnapshot(json);
  const time = asObject(parseJson(json, 'snapshot'), 'snapshot')['time'];
  const offset = typeof time === 'string' ? recordedOffsetSeconds(time) : undefined;
  return offset === undefined ? { id, snapshot } : { id, snapshot, recordedOffsetSeconds: offset };
}

/**
 * Snapshot documents (`snapshots/<id>`, doc 8). restic writes them with json.Marshal:
 * compact, no trailing newline.
 */
import { integrityError, internalError } from '../errors.ts';
import { isId, type Id } from './id.ts';
import {
  asObject,
  idValue,
  MAX_UINT32,
  optionalIdField,
  stringArrayField,
  stringField,
  timeField,
  uintField,
} from './fields.ts';
import { goJsonString, parseJson } from './json.ts';
import { formatTime, formatTimeInOffset, writtenOffsetSeconds } from './time.ts';

/** restic 0.17+'s `summary` object (ignored by 0.14). */
export interface SnapshotSummary {
  backupStart: bigint;
  backupEnd: bigint;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  dataAdded: number;
  dataAddedPacked: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
}

export interface Snapshot {
  time: bigint;
  /**
   * Seconds east of UTC of the offset `time` was written with (restic writes local time,
   * `+05:30`); undefined for `Z`. Kept so that JSON output and a rewrite show the same text.
   */
  timeOffsetSeconds?: number;
  parent?: Id;
  tree: Id;
  paths: string[];
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  original?: Id;
  /** `program_version` (restic 0.16+; ignored by 0.14). */
  programVersion?: string;
  summary?: SnapshotSummary;
  /** Free text about the snapshot, under rustic's key `description` (restic 0.14 ignores it). */
  description?: string;
  /**
   * Files and directories that could not be read when the snapshot was made, so are not
   * in it (`read_errors`, ours). restic's decoder drops fields its struct lacks, so 0.14
   * lists, checks and restores such a snapshot as any other. But `restic tag` and `restic
   * copy` write the snapshot again from that struct, so the mark (like `summary` and
   * `description`) is lost there; `forget --tag` only selects, and our `tag` and `copy`
   * keep every field.
   */
  readErrors?: number;
}

/** JSON keys of the summary counters, in restic's order. */
const SUMMARY_COUNTERS = [
  ['filesNew', 'files_new'],
  ['filesChanged', 'files_changed'],
  ['filesUnmodified', 'files_unmodified'],
  ['dirsNew', 'dirs_new'],
  ['dirsChanged', 'dirs_changed'],
  ['dirsUnmodified', 'dirs_unmodified'],
  ['dataBlobs', 'data_blobs'],
  ['treeBlobs', 'tree_blobs'],
  ['dataAdded', 'data_added'],
  ['dataAddedPacked', 'data_added_packed'],
  ['totalFilesProcessed', 'total_files_processed'],
  ['totalBytesProcessed', 'total_bytes_processed'],
] as const satisfies readonly (readonly [keyof SnapshotSummary, string])[];

function idJson(id: Id, field: string): string {
  if (!isId(id)) throw internalError(`snapshot: ${field} is not a valid ID: ${JSON.stringify(id)}`);
  return '"' + id + '"';
}

function uintJson(v: number, max: number, field: string): string {
  if (!Number.isInteger(v) || v < 0 || v > max) throw internalError(`snapshot: ${field} ${v} is not a valid unsigned integer`);
  return String(v);
}

function stringArrayJson(a: readonly string[]): string {
  return '[' + a.map(goJsonString).join(',') + ']';
}

/**
 * restic's bytes for a snapshot: field order time, parent, tree, paths, hostname,
 * username, uid, gid, excludes, tags, original, program_version, summary; empty/zero
 * optional fields left out; `paths` always written; time in the offset it was read with
 * (UTC with `Z` for ours); then rustic's `description` and our `read_errors`.
 */
export function serializeSnapshot(s: Snapshot): Uint8Array {
  let j = '{"time":"' + formatTimeInOffset(s.time, s.timeOffsetSeconds ?? 0) + '"';
  if (s.parent !== undefined) j += ',"parent":' + idJson(s.parent, 'parent');
  j += ',"tree":' + idJson(s.tree, 'tree');
  j += ',"paths":' + stringArrayJson(s.paths);
  if (s.hostname) j += ',"hostname":' + goJsonString(s.hostname);
  if (s.username) j += ',"username":' + goJsonString(s.username);
  if (s.uid) j += ',"uid":' + uintJson(s.uid, 0xffff_ffff, 'uid');
  if (s.gid) j += ',"gid":' + uintJson(s.gid, 0xffff_ffff, 'gid');
  if (s.excludes && s.excludes.length > 0) j += ',"excludes":' + stringArrayJson(s.excludes);
  if (s.tags && s.tags.length > 0) j += ',"tags":' + stringArrayJson(s.tags);
  if (s.original !== undefined) j += ',"original":' + idJson(s.original, 'original');
  if (s.programVersion) j += ',"program_version":' + goJsonString(s.programVersion);
  if (s.summary !== undefined) {
    const sum = s.summary;
    j += ',"summary":{"backup_start":"' + formatTime(sum.backupStart) + '","backup_end":"' + formatTime(sum.backupEnd) + '"';
    for (const [key, json] of SUMMARY_COUNTERS) {
      j += ',"' + json + '":' + uintJson(sum[key], Number.MAX_SAFE_INTEGER, `summary.${key}`);
    }
    j += '}';
  }
  if (s.description) j += ',"description":' + goJsonString(s.description);
  if (s.readErrors) j += ',"read_errors":' + uintJson(s.readErrors, Number.MAX_SAFE_INTEGER, 'read_errors');
  return new TextEncoder().encode(j + '}');
}


/**
 * Reads a snapshot. Unknown fields are ignored (e.g. the obsolete `dir`); missing
 * optional ones are left undefined. Throws an Integrity error on invalid JSON, wrongly
 * typed fields, invalid IDs, and a missing `tree` (restic cannot use such a snapshot).
 */
export function parseSnapshot(bytes: Uint8Array): Snapshot {
  const what = 'snapshot';
  const o = asObject(parseJson(bytes, what), what);
  const treeValue = o['tree'];
  if (treeValue === undefined || treeValue === null) throw integrityError('snapshot: missing "tree"');
  const s: Snapshot = {
    time: timeField(o, 'time', what),
    tree: idValue(treeValue, 'snapshot "tree"'),
    paths: stringArrayField(o, 'paths', what),
  };
  const timeText = o['time'];
  const offset = typeof timeText === 'string' ? writtenOffsetSeconds(timeText) : undefined;
  if (offset) s.timeOffsetSeconds = offset;
  const parent = optionalIdField(o, 'parent', what);
  if (parent !== undefined) s.parent = parent;
  const hostname = stringField(o, 'hostname', what);
  if (hostname !== '') s.hostname = hostname;
  const username = stringField(o, 'username', what);
  if (username !== '') s.username = username;
  const uid = uintField(o, 'uid', what, MAX_UINT32);
  if (uid !== 0) s.uid = uid;
  const gid = uintField(o, 'gid', what, MAX_UINT32);
  if (gid !== 0) s.gid = gid;
  const excludes = stringArrayField(o, 'excludes', what);
  if (excludes.length > 0) s.excludes = excludes;
  const tags = stringArrayField(o, 'tags', what);
  if (tags.length > 0) s.tags = tags;
  const original = optionalIdField(o, 'original', what);
  if (original !== undefined) s.original = original;
  const programVersion = stringField(o, 'program_version', what);
  if (programVersion !== '') s.programVersion = programVersion;
  const description = stringField(o, 'description', what);
  if (description !== '') s.description = description;
  const readErrors = uintField(o, 'read_errors', what);
  if (readErrors !== 0) s.readErrors = readErrors;
  const summaryValue = o['summary'];
  if (summaryValue !== undefined && summaryValue !== null) {
    const sw = 'snapshot summary';
    const so = asObject(summaryValue, sw);
    const summary = {
      backupStart: timeField(so, 'backup_start', sw),
      backupEnd: timeField(so, 'backup_end', sw),
    } as SnapshotSummary;
    for (const [key, json] of SUMMARY_COUNTERS) summary[key] = uintField(so, json, sw);
    s.summary = summary;
  }
  return s;
}

/** Lock documents (`locks/<id>`, doc 9): compact JSON, no trailing newline. */
import { internalError } from '../errors.ts';
import { asObject, boolField, intField, MAX_UINT32, stringField, timeField, uintField } from './fields.ts';
import { goJsonString, parseJson } from './json.ts';
import { formatTime } from './time.ts';

export interface LockInfo {
  time: bigint;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid?: number;
  gid?: number;
  /** The CI workflow run that holds the lock (our field; restic ignores it). */
  run?: WorkflowRun;
}

/** A GitHub Actions workflow run: re-runs keep the id and count up the attempt. */
export interface WorkflowRun {
  /** owner/name */
  repository: string;
  id: string;
  attempt: number;
  job: string;
}

/** Stored as `chunkvault_run`: restic's lock struct has no such field, so restic reads past it. */
const RUN_FIELD = 'chunkvault_run';

function uint32Json(v: number, field: string): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw internalError(`lock: ${field} ${v} is not a uint32`);
  return String(v);
}

/** `{"time","exclusive","hostname","username","pid","uid","gid"}`; uid/gid left out when 0; then our run, if any. */
export function serializeLock(l: LockInfo): Uint8Array {
  if (!Number.isSafeInteger(l.pid)) throw internalError(`lock: pid ${l.pid} is not an integer`);
  let j = '{"time":"' + formatTime(l.time) + '","exclusive":' + (l.exclusive ? 'true' : 'false');
  j += ',"hostname":' + goJsonString(l.hostname) + ',"username":' + goJsonString(l.username);
  j += ',"pid":' + String(l.pid);
  if (l.uid) j += ',"uid":' + uint32Json(l.uid, 'uid');
  if (l.gid) j += ',"gid":' + uint32Json(l.gid, 'gid');
  if (l.run) {
    if (!Number.isSafeInteger(l.run.attempt) || l.run.attempt < 0) throw internalError(`lock: run attempt ${l.run.attempt} is not an integer`);
    j += `,"${RUN_FIELD}":{"repository":${goJsonString(l.run.repository)},"id":${goJsonString(l.run.id)},"attempt":${l.run.attempt},"job":${goJsonString(l.run.job)}}`;
  }
  return new TextEncoder().encode(j + '}');
}


/** Reads a lock file; missing fields get Go's zero values. Throws Integrity when malformed. */
export function parseLock(bytes: Uint8Array): LockInfo {
  const what = 'lock';
  const o = asObject(parseJson(bytes, what), what);
  const l: LockInfo = {
    time: timeField(o, 'time', what),
    exclusive: boolField(o, 'exclusive', what),
    hostname: stringField(o, 'hostname', what),
    username: stringField(o, 'username', what),
    pid: intField(o, 'pid', what),
  };
  const uid = uintField(o, 'uid', what, MAX_UINT32);
  if (uid !== 0) l.uid = uid;
  const gid = uintField(o, 'gid', what, MAX_UINT32);
  if (gid !== 0) l.gid = gid;
  const run = o[RUN_FIELD];
  if (run !== undefined && run !== null) {
    const r = asObject(run, `${what} ${RUN_FIELD}`);
    l.run = { repository: stringField(r, 'repository', what), id: stringField(r, 'id', what), attempt: uintField(r, 'attempt', what), job: stringField(r, 'job', what) };
  }
  return l;
}

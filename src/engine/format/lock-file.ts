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
}

function uint32Json(v: number, field: string): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw internalError(`lock: ${field} ${v} is not a uint32`);
  return String(v);
}

/** `{"time","exclusive","hostname","username","pid","uid","gid"}`; uid/gid left out when 0. */
export function serializeLock(l: LockInfo): Uint8Array {
  if (!Number.isSafeInteger(l.pid)) throw internalError(`lock: pid ${l.pid} is not an integer`);
  let j = '{"time":"' + formatTime(l.time) + '","exclusive":' + (l.exclusive ? 'true' : 'false');
  j += ',"hostname":' + goJsonString(l.hostname) + ',"username":' + goJsonString(l.username);
  j += ',"pid":' + String(l.pid);
  if (l.uid) j += ',"uid":' + uint32Json(l.uid, 'uid');
  if (l.gid) j += ',"gid":' + uint32Json(l.gid, 'gid');
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
  return l;
}

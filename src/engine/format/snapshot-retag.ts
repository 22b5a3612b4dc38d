/**
 * Changing a snapshot's tags without losing what we do not model. The new snapshot is the
 * old document with only `tags` (and `original`, when unset) changed: every other field,
 * known or not (rustic's `label`, `description`, `delete`, a newer restic's `summary`
 * fields), keeps its place and value; 64-bit integers stay exact (parseJson).
 */
import { integrityError } from '../errors.ts';
import { isId, type Id } from './id.ts';
import { goJsonString, parseJson } from './json.ts';

/** Keys that come after `tags` in restic's and rustic's snapshot files: a new `tags` goes before the first of them. */
const AFTER_TAGS: ReadonlySet<string> = new Set(['original', 'delete', 'description', 'summary', 'id']);

/**
 * The snapshot document `json` with `tags` replaced (left out when empty, as restic's
 * omitempty does) and `original` set to `originalId` unless it already has one.
 */
export function retagSnapshotJson(json: Uint8Array, tags: readonly string[], originalId: Id): Uint8Array {
  const doc = parseJson(json, 'snapshot');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw integrityError('snapshot: not a JSON object');
  const entries = Object.entries(doc as Record<string, unknown>);
  const hasOriginal = entries.some(([k, v]) => k === 'original' && v !== null);
  const inserted: [string, unknown][] = [];
  if (tags.length > 0) inserted.push(['tags', [...tags]]);
  if (!hasOriginal) {
    if (!isId(originalId)) throw integrityError(`snapshot: original ${JSON.stringify(originalId)} is not an id`);
    inserted.push(['original', originalId]);
  }
  // The new fields go where `tags` was, else before the first key that follows it in
  // restic's order, else at the end; every other key keeps its place.
  const out: [string, unknown][] = [];
  let placed = false;
  const place = () => {
    if (!placed) out.push(...inserted);
    placed = true;
  };
  let afterPaths = false;
  for (const [k, v] of entries) {
    if (k === 'tags' || (k === 'original' && !hasOriginal)) {
      place();
      continue;
    }
    if (afterPaths && AFTER_TAGS.has(k)) place();
    out.push([k, v]);
    if (k === 'paths') afterPaths = true;
  }
  place();
  return encode(out);
}

function encode(entries: [string, unknown][]): Uint8Array {
  return new TextEncoder().encode(objectJson(entries));
}

function objectJson(entries: [string, unknown][]): string {
  return '{' + entries.map(([k, v]) => goJsonString(k) + ':' + value(v)).join(',') + '}';
}

/** Go's encoding of a value parseJson returned (compact, Go's string escaping). */
function value(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'string') return goJsonString(v);
  if (Array.isArray(v)) return '[' + v.map(value).join(',') + ']';
  if (typeof v === 'object') return objectJson(Object.entries(v as Record<string, unknown>));
  throw integrityError(`snapshot: unexpected JSON value ${String(v)}`);
}

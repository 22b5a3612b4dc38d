/**
 * restic 0.14's `--group-by`: the policy is applied to each group on its own. A group is
 * the snapshots with the same host, the same paths and/or the same tags, as chosen.
 * Paths and tags are compared as sorted lists (not deduplicated: [a, a] is not [a]).
 */
import { invalidInput } from '../errors.ts';
import { goJsonString } from '../format/json.ts';
import type { RetentionEntry } from './entry.ts';

export interface GroupBy {
  readonly host: boolean;
  readonly paths: boolean;
  readonly tags: boolean;
}

export const DEFAULT_GROUP_BY = 'host,paths';

/**
 * Parses restic's group-by text: `host`, `paths`, `tags` (or `hosts`, `path`, `tag`)
 * joined by commas, or empty for one group of everything. Like restic, no spaces.
 */
export function parseGroupBy(text: string = DEFAULT_GROUP_BY, what = 'group-by'): GroupBy {
  const by = { host: false, paths: false, tags: false };
  for (const option of text.split(',')) {
    switch (option) {
      case 'host':
      case 'hosts':
        by.host = true;
        break;
      case 'path':
      case 'paths':
        by.paths = true;
        break;
      case 'tag':
      case 'tags':
        by.tags = true;
        break;
      case '':
        break;
      default:
        throw invalidInput(
          `${what}: unknown grouping option '${option}' in '${text}': use host, paths and/or tags separated by commas (no spaces), or '' for no grouping`,
        );
    }
  }
  return by;
}

/** The group-by text restic would take for this choice (`host,paths`, or '' for none). */
export function formatGroupBy(by: GroupBy): string {
  return [by.host ? 'host' : '', by.paths ? 'paths' : '', by.tags ? 'tags' : ''].filter(Boolean).join(',');
}

/**
 * What the snapshots of a group share, as restic prints it: `hostname` is '' unless
 * grouped by host; `paths`/`tags` are null unless grouped by them (and `tags` also when
 * the snapshots have none), else sorted.
 */
export interface GroupKey {
  readonly hostname: string;
  readonly paths: readonly string[] | null;
  readonly tags: readonly string[] | null;
}

/** Go's sort.Strings order: by UTF-8 bytes, which is code point order (not UTF-16 units). */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function sortedGoStrings(list: readonly string[]): string[] {
  return [...list].sort(compareGoStrings);
}

export function groupKeyOf(entry: RetentionEntry, by: GroupBy): GroupKey {
  const tags = entry.snapshot.tags;
  return {
    hostname: by.host ? (entry.snapshot.hostname ?? '') : '',
    paths: by.paths ? sortedGoStrings(entry.snapshot.paths) : null,
    tags: by.tags && tags !== undefined && tags.length > 0 ? sortedGoStrings(tags) : null,
  };
}

/** restic's map key for a group: the JSON of its key, byte for byte (`{"hostname":"h","paths":["/a"],"tags":null}`). */
export function groupKeyJson(key: GroupKey): string {
  const list = (l: readonly string[] | null) => (l === null ? 'null' : '[' + l.map(goJsonString).join(',') + ']');
  return `{"hostname":${goJsonString(key.hostname)},"paths":${list(key.paths)},"tags":${list(key.tags)}}`;
}

/** restic's group header text: `host [h], tags [a, b], paths [/x]`; '' when not grouped at all. */
export function describeGroupKey(key: GroupKey): string {
  const parts: string[] = [];
  if (key.hostname !== '') parts.push(`host [${key.hostname}]`);
  if (key.tags !== null) parts.push(`tags [${key.tags.join(', ')}]`);
  if (key.paths !== null) parts.push(`paths [${key.paths.join(', ')}]`);
  return parts.join(', ');
}

export interface SnapshotGroup {
  readonly key: GroupKey;
  /** {@link groupKeyJson} of the key: equal keys, equal text. */
  readonly keyJson: string;
  /** In input order. */
  readonly entries: RetentionEntry[];
}

/** Splits snapshots into groups; the groups come sorted by key text, entries keep input order. */
export function groupSnapshots(entries: readonly RetentionEntry[], by: GroupBy): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const entry of entries) {
    const key = groupKeyOf(entry, by);
    const keyJson = groupKeyJson(key);
    let group = groups.get(keyJson);
    if (group === undefined) {
      group = { key, keyJson, entries: [] };
      groups.set(keyJson, group);
    }
    group.entries.push(entry);
  }
  return [...groups.values()].sort((a, b) => compareGoStrings(a.keyJson, b.keyJson));
}

/**
 * Changing snapshot tags, restic 0.14's `tag --set | --add/--remove`. Snapshot files are
 * immutable and named by their content, so a changed snapshot is saved as a new file whose
 * `original` names the first version of it, and only then is the old file removed: a crash
 * in between leaves both (a duplicate, never a loss). Everything but the tags is kept as
 * the file had it (format/snapshot-retag.ts).
 */
import { anySignal, ChunkvaultError, ErrorCode, errorMessage, invalidInput, throwIfAborted } from '../errors.ts';
import { parseSnapshot, retagSnapshotJson, type Snapshot } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { OperationOptions } from '../operation.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { matchesFilter, type SnapshotFilter } from './find-snapshot.ts';

export interface TagOptions extends Omit<OperationOptions, 'onProgress' | 'progressIntervalMs'> {
  /** Replace all tags with these (none: remove every tag). Excludes add and remove. */
  set?: readonly string[];
  /** Tags to add where missing. */
  add?: readonly string[];
  /** Tags to remove where present. */
  remove?: readonly string[];
  /** Snapshots to change: ids, unique prefixes or `latest`. When empty, every snapshot that passes `filter`. */
  snapshots?: readonly string[];
  /** Only with no `snapshots`: hosts, tags and paths, restic's meaning. */
  filter?: SnapshotFilter;
  /** Called for each changed snapshot, once its new file is saved and the old one removed. */
  onChanged?: (change: TagChange) => void;
}

export interface TagChange {
  /** The snapshot file that was replaced (now removed). */
  oldId: Id;
  /** The new snapshot file. */
  newId: Id;
  /** The first version of this snapshot (`original` in the new file). */
  original: Id;
  tags: string[];
}

export interface TagResult {
  changed: TagChange[];
  /** Snapshots selected whose tags were already as asked (left as they were). */
  unchanged: Id[];
  /** Snapshots that could not be changed (restic warns and goes on); the others were. */
  failed: { id: Id; message: string }[];
}

/** Checks what restic checks before opening anything: something to do, and not --set with --add/--remove. */
export function checkTagOptions(opts: Pick<TagOptions, 'set' | 'add' | 'remove'>, names = { set: '--set', add: '--add', remove: '--remove' }): void {
  if (opts.set === undefined && !opts.add?.length && !opts.remove?.length) {
    throw invalidInput(`nothing to do: give ${names.set}, ${names.add} or ${names.remove}`);
  }
  if (opts.set !== undefined && (opts.add?.length || opts.remove?.length)) {
    throw invalidInput(`${names.set} and ${names.add}/${names.remove} cannot be given at the same time`);
  }
}

export async function tag(repo: Repository, opts: TagOptions): Promise<TagResult> {
  checkTagOptions(opts);
  return withLock(repo, { exclusive: true, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError, deletes: 'tag' }, async (lock) => {
    const signal = anySignal(opts.signal, lock.lost);
    const all = await repo.loadSnapshotFiles((id, json) => ({ id, json, snapshot: parseSnapshot(json) }), { signal });
    const result: TagResult = { changed: [], unchanged: [], failed: [] };
    for (const entry of select(all, opts)) {
      throwIfAborted(signal);
      const tags = newTags(entry.snapshot, opts);
      if (tags === undefined) {
        result.unchanged.push(entry.id);
        continue;
      }
      try {
        const original = entry.snapshot.original ?? entry.id;
        const { id: newId } = await repo.saveUnpacked('snapshot', retagSnapshotJson(entry.json, tags, entry.id), { signal });
        // The new file is stored (backends return once it is durable): the old one may go.
        if (newId !== entry.id) await repo.backend.remove({ type: 'snapshot', name: entry.id }, { signal });
        const change = { oldId: entry.id, newId, original, tags };
        result.changed.push(change);
        opts.onChanged?.(change);
      } catch (e) {
        throwIfAborted(signal);
        result.failed.push({ id: entry.id, message: errorMessage(e) });
      }
    }
    return result;
  });
}

interface LoadedSnapshot {
  id: Id;
  json: Uint8Array;
  snapshot: Snapshot;
}

/** The snapshots named (each once), or all that pass the filter, oldest first. */
function select(all: LoadedSnapshot[], opts: TagOptions): LoadedSnapshot[] {
  const byTime = [...all].sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id.localeCompare(b.id)));
  if (!opts.snapshots?.length) return opts.filter ? byTime.filter((e) => matchesFilter(e, opts.filter!)) : byTime;
  const chosen = new Map<Id, LoadedSnapshot>();
  for (const ref of opts.snapshots) {
    let found: LoadedSnapshot | undefined;
    if (ref === 'latest') {
      found = (opts.filter ? byTime.filter((e) => matchesFilter(e, opts.filter!)) : byTime).at(-1);
      if (!found) throw new ChunkvaultError(ErrorCode.InvalidInput, 'no snapshot found for latest');
    } else {
      if (!/^[0-9a-f]{1,64}$/.test(ref)) throw invalidInput(`'${ref}' is not a snapshot id: use a full id, a unique prefix of one, or 'latest'`);
      const matches = byTime.filter((e) => e.id.startsWith(ref));
      if (matches.length !== 1) {
        throw invalidInput(matches.length === 0 ? `no snapshot has an id starting with '${ref}'` : `'${ref}' is ambiguous: ${matches.length} snapshots start with it`);
      }
      found = matches[0]!;
    }
    chosen.set(found.id, found);
  }
  return [...chosen.values()];
}

/** The snapshot's tags after the change, restic's rules; undefined when nothing changes. */
function newTags(s: Snapshot, opts: TagOptions): string[] | undefined {
  // restic rewrites on --set even when the tags are the same.
  if (opts.set !== undefined) return [...opts.set];
  const tags = [...(s.tags ?? [])];
  let changed = false;
  for (const t of opts.add ?? []) {
    if (!tags.includes(t)) {
      tags.push(t);
      changed = true;
    }
  }
  for (const t of opts.remove ?? []) {
    const i = tags.indexOf(t);
    if (i < 0) continue;
    // restic moves the last tag into the removed one's place: the same order as its files.
    tags[i] = tags[tags.length - 1]!;
    tags.pop();
    changed = true;
  }
  return changed ? tags : undefined;
}

/** restic's tag flags: each value is a comma list; tags are trimmed and empty ones dropped. */
export function flattenTagLists(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',').map((t) => t.trim())).filter((t) => t !== '');
}

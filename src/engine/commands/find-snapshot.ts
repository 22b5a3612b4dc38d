/**
 * Choosing snapshots: filters by host, tags and paths (restic's meaning), and resolving a
 * snapshot reference (`latest`, a full id or a unique prefix) within the filtered list.
 */
import { ChunkvaultError, ErrorCode, errorMessage, integrityError } from '../errors.ts';
import { shortId, type Id } from '../format/id.ts';
import type { CallOptions } from '../storage/backend.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';

export interface SnapshotFilter {
  /** Keep snapshots of any of these hosts. */
  hosts?: readonly string[];
  /** Keep snapshots that have all tags of any one entry ("a,b" means a and b). */
  tags?: readonly string[];
  /** Keep snapshots whose paths include every one of these. */
  paths?: readonly string[];
}

export function matchesFilter(s: SnapshotEntry, f: SnapshotFilter): boolean {
  const snap = s.snapshot;
  if (f.hosts?.length && !f.hosts.includes(snap.hostname ?? '')) return false;
  if (f.tags?.length) {
    const tags = snap.tags ?? [];
    const anyGroup = f.tags.some((group) =>
      group
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .every((t) => tags.includes(t)),
    );
    if (!anyGroup) return false;
  }
  if (f.paths?.length && !f.paths.every((p) => snap.paths.includes(p))) return false;
  return true;
}

/** The filtered snapshots, oldest first. */
export async function listSnapshots(repo: Repository, filter: SnapshotFilter = {}, opts?: CallOptions): Promise<SnapshotEntry[]> {
  return (await repo.listSnapshots(opts)).filter((s) => matchesFilter(s, filter));
}

/**
 * Throws InvalidInput unless `ref` is a snapshot reference: `latest`, or hex (a full id or a
 * prefix). `what` names the setting it came from (`input 'snapshot'`, `--parent`).
 */
export function checkSnapshotRef(ref: string, what?: string): string {
  if (ref === 'latest' || /^[0-9a-f]{1,64}$/.test(ref)) return ref;
  throw new ChunkvaultError(ErrorCode.InvalidInput, `${what ? `${what}: ` : ''}'${ref}' is not a snapshot id: use 'latest', a full id or a unique prefix of one`);
}

/**
 * No snapshot for a reference: carries the reference and the filter, so that a shell can
 * name the input or flag they came from.
 */
export class SnapshotNotFoundError extends ChunkvaultError {
  readonly ref: string;
  readonly filter: SnapshotFilter;
  constructor(ref: string, filter: SnapshotFilter, message: string) {
    super(ErrorCode.SnapshotNotFound, message);
    this.name = 'SnapshotNotFoundError';
    this.ref = ref;
    this.filter = filter;
  }
}

export function isSnapshotNotFound(e: unknown): e is SnapshotNotFoundError {
  return e instanceof SnapshotNotFoundError;
}

/**
 * Resolves `latest` (the newest snapshot that passes the filter), a full id, or a unique
 * id prefix. Throws InvalidInput for text that is no reference, SnapshotNotFoundError when
 * none or several snapshots match.
 */
export async function findSnapshot(repo: Repository, ref: string, filter: SnapshotFilter = {}, opts?: CallOptions): Promise<SnapshotEntry> {
  // A damaged snapshot file keeps the others usable by id (restic's way), but leaves
  // 'latest' undecidable: the damaged one may be the newest.
  const unreadable = new Map<Id, unknown>();
  const all = await repo.listSnapshots({ ...opts, onUnreadable: (id, e) => unreadable.set(id, e) });
  if (ref === 'latest' || ref === '') {
    if (unreadable.size > 0) {
      const [id, e] = [...unreadable][0]!;
      throw integrityError(
        `cannot tell which snapshot is the latest: ${unreadable.size} snapshot file(s) cannot be read (${shortId(id)}: ${errorMessage(e)}); ` +
          'name a snapshot by id instead (snapshots lists the readable ones)',
      );
    }
    const matching = all.filter((s) => matchesFilter(s, filter));
    const newest = matching[matching.length - 1];
    if (!newest) throw new SnapshotNotFoundError('latest', filter, `no snapshot found${describeFilter(filter)} (the repository has ${all.length} snapshot(s))`);
    return newest;
  }
  checkSnapshotRef(ref);
  const damaged = [...unreadable.keys()].filter((id) => id.startsWith(ref));
  const matches = all.filter((s) => s.id.startsWith(ref));
  if (matches.length === 1 && damaged.length === 0) return matches[0]!;
  if (matches.length === 0 && damaged.length === 1) {
    throw integrityError(`snapshot ${shortId(damaged[0]!)} cannot be read: ${errorMessage(unreadable.get(damaged[0]!))}`);
  }
  const found = matches.length + damaged.length;
  throw new SnapshotNotFoundError(
    ref,
    filter,
    found === 0 ? `no snapshot has an id starting with '${ref}'` : `'${ref}' is ambiguous: ${found} snapshots start with it; give more of the id`,
  );
}

function describeFilter(f: SnapshotFilter): string {
  const parts: string[] = [];
  if (f.hosts?.length) parts.push(`host ${f.hosts.join(' or ')}`);
  if (f.tags?.length) parts.push(`tags ${f.tags.join(' or ')}`);
  if (f.paths?.length) parts.push(`paths ${f.paths.join(', ')}`);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}

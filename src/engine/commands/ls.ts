/**
 * restic 0.14's `ls`: the nodes of one snapshot, in walk order. Without directories,
 * everything; with directories (absolute paths), each directory itself and what it
 * directly holds, or everything below it with `recursive`. Like restic's, it takes no
 * lock: it only reads files that are never rewritten in place.
 */
import type { OperationOptions } from '../operation.ts';
import { invalidInput } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { childRawPath, walkTree } from '../browse/walker.ts';
import { findSnapshot, type SnapshotFilter } from './find-snapshot.ts';

export interface LsOptions extends Pick<OperationOptions, 'signal'> {
  /** A full snapshot id, a unique prefix, or 'latest' (which honours `filter`). */
  snapshot: string;
  filter?: SnapshotFilter;
  /** Absolute directories to list; none lists the whole snapshot. */
  dirs?: readonly string[];
  /** List everything below `dirs`, not only their direct entries. @default false */
  recursive?: boolean;
  /** The snapshot, once chosen and before any node. */
  onSnapshot?: (snapshot: SnapshotEntry) => void;
  /** `path` has names decoded as UTF-8; `rawPath` is the same path in the snapshot's raw bytes. */
  onNode: (path: string, node: TreeNode, rawPath: Uint8Array) => void;
}

export async function ls(repo: Repository, opts: LsOptions): Promise<SnapshotEntry> {
  const dirs = opts.dirs ?? [];
  for (const dir of dirs) {
    if (!dir.startsWith('/')) throw invalidInput(`directory ${JSON.stringify(dir)} is not absolute: paths given to ls start with '/'`);
  }
  const { signal } = opts;
  await repo.loadIndex({ signal });
  const snapshot = await findSnapshot(repo, opts.snapshot, opts.filter ?? {}, { signal });
  opts.onSnapshot?.(snapshot);
  const within = (path: string) => dirs.length === 0 || dirs.some((dir) => hasPathPrefix(dir, path));
  const approaching = (path: string) => dirs.length === 0 || dirs.some((dir) => hasPathPrefix(path, dir));
  await walkTree(
    repo,
    snapshot.snapshot.tree,
    (_tree, path, node, rawDir) => {
      if (within(path)) {
        opts.onNode(path, node, childRawPath(rawDir, node.name));
        if (opts.recursive) return;
      }
      if (approaching(path)) return;
      return { skip: node.type === 'dir' };
    },
    { signal },
  );
  return snapshot;
}

/** restic's fs.HasPathPrefix: `path` is `base` or lies below it (both cleaned, both absolute). */
export function hasPathPrefix(base: string, path: string): boolean {
  const b = cleanAbsolute(base);
  const p = cleanAbsolute(path);
  return p === b || b === '/' || p.startsWith(`${b}/`);
}

function cleanAbsolute(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

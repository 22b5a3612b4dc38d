/**
 * restic's `dump`: one path of a snapshot to a stream. A file is written as its bytes,
 * blob by blob (memory stays flat whatever its size, so a database dump can flow
 * straight into psql); a directory, or `/` for the whole snapshot, as a tar archive of
 * what it holds. Runs under a non-exclusive lock, as restic's does.
 */
import * as posix from 'node:path/posix';
import type { Writable } from 'node:stream';
import type { ReadOperationOptions } from '../operation.ts';
import { ChunkvaultError, ErrorCode, invalidInput } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { withReadLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { writeFileContent } from '../browse/file-content.ts';
import { OutputSink } from '../browse/output-sink.ts';
import { writeTreeAsTar } from '../browse/tar-stream.ts';
import { childPath, childRawPath, nodeName } from '../browse/walker.ts';
import { findSnapshot, type SnapshotFilter } from './find-snapshot.ts';

export const DUMP_ARCHIVE_FORMATS = ['tar'] as const;
export type DumpArchiveFormat = (typeof DUMP_ARCHIVE_FORMATS)[number];

export interface DumpFromSnapshotOptions extends Omit<ReadOperationOptions, 'onProgress' | 'progressIntervalMs'> {
  /** A full snapshot id, a unique prefix, or 'latest' (which honours `filter`). */
  snapshot: string;
  filter?: SnapshotFilter;
  /** The path in the snapshot: a file, a directory, or `/`. */
  path: string;
  output: Writable;
  /** How a directory is written. @default 'tar' */
  archive?: DumpArchiveFormat;
  /**
   * Refuse to write an archive (the CLI says no when stdout is a terminal); the message
   * tells the user to redirect. @default true
   */
  allowArchive?: boolean;
}

export interface DumpFromSnapshotResult {
  snapshotId: Id;
  /** What was written: a file's bytes, or a tar archive of a directory. */
  kind: 'file' | 'archive';
  bytesWritten: number;
}

export async function dumpFromSnapshot(repo: Repository, opts: DumpFromSnapshotOptions): Promise<DumpFromSnapshotResult> {
  const archive = opts.archive ?? 'tar';
  if (!DUMP_ARCHIVE_FORMATS.includes(archive)) {
    throw new ChunkvaultError(ErrorCode.Unsupported, `archive format '${String(archive)}' is not supported: use tar`);
  }
  const { signal } = opts;
  return withReadLock(repo, false, opts, async () => {
    await repo.loadIndex({ signal });
    const snapshot = await findSnapshot(repo, opts.snapshot, opts.filter ?? {}, { signal });
    const sink = new OutputSink(opts.output);
    try {
      const kind = await dumpPath(repo, snapshot.snapshot.tree, opts.path, sink, opts.allowArchive !== false, signal);
      return { snapshotId: snapshot.id, kind, bytesWritten: sink.bytesWritten };
    } finally {
      sink.release();
    }
  });
}

/** restic's path rules: cleaned, `/` is the whole snapshot, a relative path starts at the root too. */
function pathComponents(path: string): string[] {
  const cleaned = posix.normalize(path);
  if (cleaned === '/') return [];
  return cleaned.replace(/\/+$/, '').split('/').filter((part, i) => !(i === 0 && part === ''));
}

async function dumpPath(repo: Repository, root: Id, path: string, sink: OutputSink, allowArchive: boolean, signal?: AbortSignal): Promise<'file' | 'archive'> {
  const parts = pathComponents(path);
  const archiveOf = async (nodes: readonly TreeNode[], at: string, rawAt: Uint8Array) => {
    if (!allowArchive) throw invalidInput(`${at} is a directory and would be written as a tar archive: redirect the output (> file.tar or | tar -x)`);
    await writeTreeAsTar(repo, nodes, rawAt, sink, signal);
    return 'archive' as const;
  };
  let nodes = await repo.loadTree(root, { signal });
  if (parts.length === 0) return archiveOf(nodes, '/', Buffer.from('/'));
  let prefix = '/';
  let rawPrefix: Uint8Array = Buffer.from('/');
  for (let i = 0; i < parts.length; i++) {
    const item = childPath(prefix, parts[i]!);
    const node = nodes.find((n) => nodeName(n) === parts[i]);
    if (!node) throw invalidInput(`path ${JSON.stringify(item)} not found in snapshot`);
    const last = i === parts.length - 1;
    if (node.type === 'file' && last) {
      await writeFileContent(repo, node, sink, signal);
      return 'file';
    }
    if (node.type !== 'dir') {
      throw invalidInput(`${JSON.stringify(item)} should be a ${last ? 'file or directory' : 'directory'}, but is a ${JSON.stringify(node.type)}`);
    }
    nodes = await repo.loadTree(node.subtree!, { signal });
    const rawItem = childRawPath(rawPrefix, node.name);
    if (last) return archiveOf(nodes, item, rawItem);
    prefix = item;
    rawPrefix = rawItem;
  }
  throw invalidInput(`path ${JSON.stringify(path)} not found in snapshot`);
}

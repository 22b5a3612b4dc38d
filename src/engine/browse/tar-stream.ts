/**
 * A tree as a tar stream, entry by entry, in restic 0.14's order and with its headers
 * (see tar-header.ts): each top-level node of the tree, then, for a directory, its
 * files, directories and symlinks depth first. Other types below the top level are
 * left out as restic does; at the top level restic writes them as empty regular files,
 * and so do we. Extended attributes become SCHILY.xattr records.
 */
import { integrityError } from '../errors.ts';
import { GoMode, type TreeNode } from '../format/index.ts';
import type { Repository } from '../repository/repository.ts';
import { writeFileContent } from './file-content.ts';
import type { OutputSink } from './output-sink.ts';
import { paddedLength, TAR_END, tarHeader, TarType } from './tar-header.ts';
import { childRawPath, walkTree } from './walker.ts';

const NS_PER_SECOND = 1_000_000_000n;

/** Writes the nodes of a tree at `rootPath` ('/' for a whole snapshot) as a tar archive. */
export async function writeTreeAsTar(repo: Repository, nodes: readonly TreeNode[], rootPath: Uint8Array, sink: OutputSink, signal?: AbortSignal): Promise<void> {
  for (const top of nodes) {
    const topPath = childRawPath(rootPath, top.name);
    await writeEntry(repo, top, topPath, sink, signal);
    if (top.type !== 'dir' || top.subtree === undefined) continue;
    await walkTree(
      repo,
      top.subtree,
      async (_tree, _path, node, rawDir) => {
        if (node.type === 'file' || node.type === 'dir' || node.type === 'symlink') await writeEntry(repo, node, childRawPath(rawDir, node.name), sink, signal);
      },
      { prefix: Buffer.from(topPath).toString('utf8'), rawPrefix: topPath, signal },
    );
  }
  await sink.write(TAR_END, signal);
}

/** One entry; `path` is its absolute path in raw bytes. */
async function writeEntry(repo: Repository, node: TreeNode, path: Uint8Array, sink: OutputSink, signal?: AbortSignal): Promise<void> {
  const mode = node.mode ?? 0;
  let perm = mode & GoMode.Perm;
  if (mode & GoMode.Setuid) perm |= 0o4000;
  if (mode & GoMode.Setgid) perm |= 0o2000;
  if (mode & GoMode.Sticky) perm |= 0o1000;
  const type = node.type === 'dir' ? TarType.Dir : node.type === 'symlink' ? TarType.Symlink : TarType.File;
  const size = node.size ?? 0;
  const xattrs = new Map<string, Uint8Array>();
  for (const xa of node.extendedAttributes ?? []) {
    // restic turns POSIX ACLs into SCHILY.acl records; we leave them out (see the report of `dump`).
    if (!xa.name.startsWith('system.posix_acl_')) xattrs.set(`SCHILY.xattr.${xa.name}`, xa.value ?? new Uint8Array(0));
  }
  await sink.write(
    tarHeader({
      name: Buffer.concat([path.subarray(1), Buffer.from(type === TarType.Dir ? '/' : '')]),
      type,
      mode: perm,
      uid: node.uid,
      gid: node.gid,
      size,
      mtimeSeconds: roundToSeconds(node.mtime),
      linkname: type === TarType.Symlink ? (node.linktarget ?? '') : '',
      uname: node.user ?? '',
      gname: node.group ?? '',
      paxRecords: xattrs,
    }),
    signal,
  );
  if (type !== TarType.File) return;
  const written = await writeFileContent(repo, node, sink, signal);
  if (written !== size) {
    throw integrityError(`${Buffer.from(path).toString('utf8')}: the snapshot records ${size} bytes but its content has ${written}: the tar archive would be corrupt`);
  }
  const padding = paddedLength(size) - size;
  if (padding > 0) await sink.write(new Uint8Array(padding), signal);
}

/** Go's Time.Round(time.Second): to the nearest second, halves upwards. */
function roundToSeconds(ns: bigint): number {
  const shifted = ns + NS_PER_SECOND / 2n;
  let s = shifted / NS_PER_SECOND;
  if (shifted % NS_PER_SECOND < 0n) s -= 1n;
  return Number(s);
}


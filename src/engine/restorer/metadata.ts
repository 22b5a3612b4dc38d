/**
 * A node's owner, mode and times, in the form the fs calls take them, and applying them
 * to an open descriptor (files, directories, fifos) or to a symlink itself. Order
 * matters: chown first (it clears setuid/setgid), then chmod, then the times (last, as
 * any change to the entry would move its ctime but not its mtime).
 */
import * as fs from 'node:fs';
import { unixPermFromGoMode, type TreeNode } from '../format/index.ts';
import type { WholeFileMeta } from './blob-writer-pool.ts';
import { utimeSeconds } from './times.ts';

/** Ownership is restored only by root, as restic does; others keep their own. */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function nodeMeta(node: TreeNode, asRoot: boolean): WholeFileMeta {
  return {
    chown: asRoot,
    uid: node.uid,
    gid: node.gid,
    mode: unixPermFromGoMode(node.mode ?? 0),
    atime: utimeSeconds(node.atime),
    mtime: utimeSeconds(node.mtime),
  };
}

export function applyMetaToFd(fd: number, meta: WholeFileMeta): void {
  if (meta.chown) fs.fchownSync(fd, meta.uid, meta.gid);
  fs.fchmodSync(fd, meta.mode);
  fs.futimesSync(fd, meta.atime, meta.mtime);
}

/** Owner and times of the link itself (Linux has no mode for symlinks). */
export function applySymlinkMeta(linkPath: Buffer, meta: WholeFileMeta): void {
  if (meta.chown) fs.lchownSync(linkPath, meta.uid, meta.gid);
  fs.lutimesSync(linkPath, meta.atime, meta.mtime);
}

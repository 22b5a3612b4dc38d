/**
 * Node names from a snapshot are untrusted: a name is used as one path component below
 * the restore target, so anything that could reach outside it (`..`, a `/`, NUL) or name
 * the directory itself (empty, `.`) is refused, as are two nodes with the same name in
 * one tree (a symlink `x` followed by a directory `x` would otherwise let the second
 * write through the first).
 */
import { integrityError } from '../errors.ts';
import { quoteName } from '../format/index.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';

const SLASH = 0x2f;
const DOT = 0x2e;

/** Why a raw name cannot be a path component, or undefined when it can. */
export function unsafeNameReason(name: Uint8Array): string | undefined {
  if (name.byteLength === 0) return 'the name is empty';
  if (name.byteLength === 1 && name[0] === DOT) return 'the name is "."';
  if (name.byteLength === 2 && name[0] === DOT && name[1] === DOT) return 'the name is ".."';
  if (name.includes(SLASH)) return 'the name contains "/"';
  if (name.includes(0)) return 'the name contains a NUL byte';
  return undefined;
}

/** A name for messages: Go-quoted, so control bytes and invalid UTF-8 stay readable. */
export function displayName(name: Uint8Array): string {
  return `"${quoteName(name)}"`;
}

/**
 * Throws an Integrity error naming the tree and the node when any name in `nodes` is
 * unsafe or appears twice. `where` is the directory's path in the snapshot.
 */
export function checkTreeNames(treeId: Id, where: string, nodes: readonly TreeNode[]): void {
  const seen = new Set<string>();
  for (const node of nodes) {
    const reason = unsafeNameReason(node.name);
    if (reason !== undefined) {
      throw integrityError(`tree ${treeId} (directory ${where}) has a node named ${displayName(node.name)}: ${reason}; refusing to restore it`);
    }
    const key = Buffer.from(node.name.buffer, node.name.byteOffset, node.name.byteLength).toString('latin1');
    if (seen.has(key)) {
      throw integrityError(`tree ${treeId} (directory ${where}) has two nodes named ${displayName(node.name)}; refusing to restore it`);
    }
    seen.add(key);
  }
}

/**
 * restic 0.14's `Node.Equals` and the content comparison its diff uses: what decides
 * whether `diff --metadata` prints "U" and whether a file counts as modified ("M").
 */
import type { TreeNode } from './node.ts';
import { compareNames } from './go-quote.ts';

/** Every field restic compares, including the difference between null and empty content. */
export function nodesEqual(a: TreeNode, b: TreeNode): boolean {
  return (
    compareNames(a.name, b.name) === 0 &&
    a.type === b.type &&
    (a.mode ?? 0) === (b.mode ?? 0) &&
    a.mtime === b.mtime &&
    a.atime === b.atime &&
    a.ctime === b.ctime &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    (a.user ?? '') === (b.user ?? '') &&
    (a.group ?? '') === (b.group ?? '') &&
    (a.inode ?? 0n) === (b.inode ?? 0n) &&
    (a.deviceId ?? 0n) === (b.deviceId ?? 0n) &&
    (a.size ?? 0) === (b.size ?? 0) &&
    (a.links ?? 0n) === (b.links ?? 0n) &&
    (a.linktarget ?? '') === (b.linktarget ?? '') &&
    (a.device ?? 0n) === (b.device ?? 0n) &&
    sameContent(a.content, b.content) &&
    sameExtendedAttributes(a, b) &&
    a.subtree === b.subtree &&
    (a.error ?? '') === (b.error ?? '')
  );
}

/**
 * Go's reflect.DeepEqual on two content lists (what diff's "M" tests): a null list equals
 * only a null list, so an empty file written with `[]` differs from one written with `null`.
 */
export function sameContent(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Same names with the same values, in any order (a missing value equals an empty one, as Go's bytes.Equal has it). */
function sameExtendedAttributes(a: TreeNode, b: TreeNode): boolean {
  const xa = a.extendedAttributes ?? [];
  const xb = b.extendedAttributes ?? [];
  if (xa.length !== xb.length) return false;
  const values = new Map<string, Uint8Array | null>();
  for (const x of xa) values.set(x.name, x.value);
  const seen = new Set<string>();
  for (const x of xb) {
    if (!values.has(x.name)) return false;
    if (!sameBytes(values.get(x.name) ?? null, x.value)) return false;
    seen.add(x.name);
  }
  return [...values.keys()].every((name) => seen.has(name));
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

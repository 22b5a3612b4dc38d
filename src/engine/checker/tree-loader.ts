/**
 * Loads trees through the checker's own index (built from the index files it just read),
 * never through whatever the repository object had loaded before: a check must see the
 * repository as it is now, and an index file deleted since must show up as missing blobs.
 */
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import type { MasterIndex } from '../repository/master-index.ts';
import type { Repository } from '../repository/repository.ts';

/** Loads, verifies (MAC, SHA-256) and parses tree `id`; throws when it is not indexed or broken. */
export async function loadTreeVia(repo: Repository, index: MasterIndex, id: Id, signal?: AbortSignal): Promise<TreeNode[]> {
  const loc = index.lookup('tree', id);
  if (!loc) throw new Error(`tree ${id} is not in the index`);
  const sealed = await repo.backend.load({ type: 'data', name: loc.packId }, loc.length, loc.offset, { signal });
  return repo.decodeTree(id, loc, sealed);
}

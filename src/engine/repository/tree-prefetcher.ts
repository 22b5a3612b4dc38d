/**
 * Trees loaded ahead of a walk that must stay in order (diff prints, and stats counts, in
 * restic's order): the walk names the subtrees it is about to descend into, they are
 * requested at once, `concurrency` at a time, and the walk then takes them one by one.
 * A remote repository answers many requests in parallel while the walk stays sequential.
 * Each tree is handed out once and then forgotten, so memory holds only the subtrees
 * pending along the current path.
 */
import { throwIfAborted } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { Semaphore } from '../support/concurrency.ts';
import type { Repository } from './repository.ts';

export class TreePrefetcher {
  readonly #repo: Repository;
  readonly #signal: AbortSignal | undefined;
  readonly #slots: Semaphore;
  readonly #pending = new Map<Id, Promise<TreeNode[]>>();

  constructor(repo: Repository, opts: { concurrency: number; signal?: AbortSignal }) {
    this.#repo = repo;
    this.#signal = opts.signal;
    this.#slots = new Semaphore(Math.max(1, opts.concurrency));
  }

  /** Starts loading the trees not requested yet. */
  prefetch(ids: Iterable<Id>): void {
    for (const id of ids) if (!this.#pending.has(id)) this.#pending.set(id, this.#start(id));
  }

  /** The tree, prefetched or loaded now; a load failure is thrown here, to the walk. */
  load(id: Id): Promise<TreeNode[]> {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending ?? this.#start(id);
  }

  /** Drops a prefetched tree the walk decided not to visit. */
  forget(id: Id): void {
    this.#pending.delete(id);
  }

  #start(id: Id): Promise<TreeNode[]> {
    const loading = (async () => {
      await this.#slots.acquire();
      try {
        throwIfAborted(this.#signal);
        return await this.#repo.loadTree(id, { signal: this.#signal });
      } finally {
        this.#slots.release();
      }
    })();
    // A prefetched tree that is never asked for must not end the process as an unhandled rejection.
    loading.catch(() => {});
    return loading;
  }
}

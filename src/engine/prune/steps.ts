/**
 * The points at which a prune changes the repository, in the order they happen. Each is
 * reported after the change is durable, so that callers can show progress and tests can
 * stop the process (SIGKILL) at every one of them and prove the repository survives.
 */
export const PRUNE_STEPS = [
  /** The plan is made; nothing has changed yet. */
  'planned',
  /** A pack no index named was deleted. */
  'unreferenced-deleted',
  /** A new pack holding repacked blobs was stored. */
  'pack-written',
  /** The index file for the new packs was stored. */
  'repack-index-written',
  /** One file of the rewritten index was stored. */
  'index-written',
  /** An index file that the new index supersedes was deleted. */
  'index-deleted',
  /** A pack that is no longer needed was deleted. */
  'pack-deleted',
] as const;

export type PruneStep = (typeof PRUNE_STEPS)[number];

/**
 * Bounds on what a repository may claim. Sizes and counts in trees and index files are
 * untrusted: each is checked against these before anything is allocated or walked.
 */

/**
 * Largest blob plaintext accepted. restic's chunker makes data blobs of at most 8 MiB,
 * and trees are far smaller; anything above this is refused as corrupt or hostile.
 */
export const MAX_BLOB_PLAINTEXT_BYTES = 64 * 1024 * 1024;

/** Largest stored (sealed) blob: the plaintext bound plus zstd's worst-case expansion and IV/MAC. */
export const MAX_BLOB_STORED_BYTES = MAX_BLOB_PLAINTEXT_BYTES + (MAX_BLOB_PLAINTEXT_BYTES >> 7) + 1024;

/** Deepest directory nesting walked; no file system restores paths this deep anyway. */
export const MAX_TREE_DEPTH = 1024;

/**
 * Most nodes one restore plans. Trees are a DAG: a tree may reference the same subtree
 * many times, so a few small blobs can describe an exponentially large tree.
 */
export const MAX_PLANNED_NODES = 20_000_000;

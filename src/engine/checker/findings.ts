/**
 * What `check` reports: findings with stable codes, and where each problem is. The checker
 * keeps going after a finding (restic's checker sends errors to a channel and carries on),
 * so one run lists everything that is wrong. Damage to blobs, trees and packs is later
 * traced to the files that use them (attribution.ts), so a finding can say what a restore
 * would lose.
 */
import type { Id } from '../format/id.ts';
import type { BlobType } from '../repository/master-index.ts';

/** Findings that make the repository damaged: `check` fails on any of them. */
export const ERROR_CODES = [
  /** Listing a directory of the repository failed. */
  'list-failed',
  /** An index file cannot be loaded, decrypted or parsed. */
  'index-unreadable',
  /** A pack named in the index does not exist. */
  'pack-missing',
  /** A pack's size differs from the size its index entries imply. */
  'pack-size-mismatch',
  /** A snapshot file cannot be loaded, decrypted or parsed. */
  'snapshot-unreadable',
  /** A tree that a snapshot or directory refers to is not in the index as a tree blob. */
  'tree-missing',
  /** A tree blob is in the index but does not load, decrypt, verify or parse. */
  'tree-unreadable',
  /** A node breaks restic's rules (unknown type, empty name, file without content, dir without subtree ...). */
  'node-invalid',
  /** A file refers to data blobs that are not in the index as data blobs. */
  'blob-missing',
  /** read-data: the pack could not be read from the storage. */
  'pack-unreadable',
  /** read-data: the SHA-256 of the pack differs from its name. */
  'pack-hash-mismatch',
  /** read-data: the pack header does not decrypt or parse, or its length field is wrong. */
  'pack-header-unreadable',
  /** read-data: the pack header and the index entries for the pack disagree. */
  'pack-header-mismatch',
  /** read-data: the index entries of a pack have gaps or overlap, or there are none. */
  'pack-index-inconsistent',
  /** read-data: a blob does not decrypt, decompress or hash to its id. */
  'blob-corrupt',
] as const;

/** Findings that are worth knowing but do not make the repository damaged (restic's hints). */
export const HINT_CODES = [
  /** A pack that no index names ("additional files"; the next prune deletes it). */
  'pack-unreferenced',
  /** A pack named by more than one index file. */
  'pack-in-several-indexes',
  /** A pack holding both tree and data blobs. */
  'pack-mixed',
  /** An index file in the old format (a bare array of packs). */
  'index-old-format',
  /** A tree whose nodes are not sorted by name or repeat a name (restic writes them sorted). */
  'tree-unsorted',
  /** Blobs are missing from the index while unindexed packs exist: `rebuild-index` may recover them. */
  'index-incomplete',
] as const;

export type ErrorFindingCode = (typeof ERROR_CODES)[number];
export type HintFindingCode = (typeof HINT_CODES)[number];
export type FindingCode = ErrorFindingCode | HintFindingCode;
export type Severity = 'error' | 'hint';

/** How many affected paths one finding lists; `pathCount` says how many there are in all. */
export const MAX_PATHS_PER_FINDING = 100;

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** One sentence that reads well on its own (in a log line or a job summary). */
  readonly message: string;
  readonly packId?: Id;
  readonly blobId?: Id;
  readonly blobType?: BlobType;
  readonly indexId?: Id;
  readonly snapshotId?: Id;
  /** The tree holding the node a finding is about. */
  readonly treeId?: Id;
  /**
   * Files and directories, as `/path/in/snapshot` (names Go-quoted as restic prints them),
   * whose content or subtree uses the damaged data; at most MAX_PATHS_PER_FINDING, sorted.
   */
  paths?: string[];
  /** Total number of distinct affected paths (more than `paths` lists when it was capped). */
  pathCount?: number;
  /** Snapshots that contain the affected paths. */
  snapshotIds?: Id[];
}

type FindingFields = Omit<Finding, 'code' | 'severity' | 'message' | 'paths' | 'pathCount' | 'snapshotIds'>;

interface Affected {
  readonly paths: Set<string>;
  readonly snapshots: Set<Id>;
}

/**
 * The findings of one run, plus what each damaged item would affect: blobs (by type and
 * id) and nodes (by tree and name) registered here are traced to paths afterwards.
 */
export class FindingList {
  readonly errors: Finding[] = [];
  readonly hints: Finding[] = [];
  /** Damaged blobs → the findings that should name the paths using them. */
  readonly suspectBlobs: Record<BlobType, Map<Id, Finding[]>> = { data: new Map(), tree: new Map() };
  /** Trees with a broken node → (node name, finding). */
  readonly suspectNodes = new Map<Id, { name: Uint8Array; finding: Finding }[]>();
  readonly #affected = new Map<Finding, Affected>();

  error(code: ErrorFindingCode, message: string, fields: FindingFields = {}): Finding {
    const f: Finding = { code, severity: 'error', message, ...fields };
    this.errors.push(f);
    return f;
  }

  hint(code: HintFindingCode, message: string, fields: FindingFields = {}): Finding {
    const f: Finding = { code, severity: 'hint', message, ...fields };
    this.hints.push(f);
    return f;
  }

  has(code: FindingCode): boolean {
    return this.errors.some((f) => f.code === code) || this.hints.some((f) => f.code === code);
  }

  /** The paths that use this blob should be named by `finding`. */
  suspectBlob(type: BlobType, id: Id, finding: Finding): void {
    const map = this.suspectBlobs[type];
    const list = map.get(id);
    if (list) {
      if (!list.includes(finding)) list.push(finding);
    } else {
      map.set(id, [finding]);
    }
  }

  /** The paths at which node `name` of tree `treeId` appears should be named by `finding`. */
  suspectNode(treeId: Id, name: Uint8Array, finding: Finding): void {
    const list = this.suspectNodes.get(treeId);
    if (list) list.push({ name, finding });
    else this.suspectNodes.set(treeId, [{ name, finding }]);
  }

  get hasSuspects(): boolean {
    return this.suspectBlobs.data.size > 0 || this.suspectBlobs.tree.size > 0 || this.suspectNodes.size > 0;
  }

  /** Records that `path` in snapshot `snapshotId` is affected by `finding`. */
  affects(finding: Finding, snapshotId: Id, path: string): void {
    let a = this.#affected.get(finding);
    if (!a) {
      a = { paths: new Set(), snapshots: new Set() };
      this.#affected.set(finding, a);
    }
    a.paths.add(path);
    a.snapshots.add(snapshotId);
  }

  /** Copies the collected paths into the findings (sorted, capped). */
  finish(): void {
    for (const [f, a] of this.#affected) {
      const paths = [...a.paths].sort();
      f.paths = paths.slice(0, MAX_PATHS_PER_FINDING);
      f.pathCount = paths.length;
      f.snapshotIds = [...a.snapshots].sort();
    }
  }
}

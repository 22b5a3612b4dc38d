/**
 * `check`: everything restic 0.14's check verifies (restic-format.md 12), collected as
 * findings rather than stopping at the first problem:
 *   1. index: every index file loads (duplicate, mixed and old-format packs are hints);
 *   2. packs: every pack the index names exists with exactly the size its entries imply;
 *      packs no index names are hints ("additional files");
 *   3. snapshots and trees: every snapshot loads, every reachable tree loads and decodes,
 *      nodes follow the rules, file content is in the index as data;
 *   4. read-data (optional, all or a subset of packs): hash, header and every blob;
 *   5. attribution: damaged blobs, trees and packs are traced to the files using them.
 * The caller holds the lock (commands/check.ts); this only reads.
 */
import type { OperationOptions } from '../operation.ts';
import { errorMessage, throwIfAborted } from '../errors.ts';
import { parseSnapshot } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { expectedPackSize } from '../repository/pack.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { rethrowIfAborted } from './abort.ts';
import { attributePaths } from './attribution.ts';
import { FindingList, type Finding } from './findings.ts';
import { loadCheckIndex, type PackTable } from './pack-table.ts';
import { verifyPack } from './pack-verifier.ts';
import { selectPacks, type ReadDataSelection } from './selection.ts';
import { checkStructure } from './structure.ts';

export type CheckPhase = 'index' | 'packs' | 'snapshots' | 'trees' | 'read-data' | 'attribute' | 'done';

export interface CheckProgress {
  phase: CheckPhase;
  indexFiles: number;
  packsChecked: number;
  snapshotsChecked: number;
  treesChecked: number;
  packsSelected: number;
  packsRead: number;
  bytesRead: number;
  errors: number;
  hints: number;
  elapsedMs: number;
}

export interface CheckerOptions extends Pick<OperationOptions<CheckProgress>, 'signal' | 'onProgress' | 'progressIntervalMs'> {
  /** Read and verify pack contents: all packs, group n of t, or a random x%. @default no reading */
  readData?: ReadDataSelection;
  /** Packs read at once; each holds at most two 4 MiB segments plus the blob being assembled. @default max(2, backend connections) */
  readConcurrency?: number;
  /** Called after each pack has been read, with what it found. */
  onPackRead?: (packId: Id, result: { bytesRead: number; blobsRead: number; complete: boolean }) => void;
}

export interface CheckReport {
  /** Damage: any entry here means the repository fails the check. */
  errors: Finding[];
  /** Worth knowing, not damage (restic's hints and "additional files"). */
  hints: Finding[];
  snapshotsChecked: number;
  /** Distinct trees loaded and checked. */
  treesChecked: number;
  /** Packs named by the index, checked for existence and size. */
  packsChecked: number;
  /** Packs the read-data selection chose (missing ones included, as restic counts them). */
  packsSelected: number;
  /** Packs actually read through. */
  packsRead: number;
  bytesRead: number;
  blobsRead: number;
  durationMs: number;
}

export async function checkRepository(repo: Repository, opts: CheckerOptions = {}): Promise<CheckReport> {
  const started = Date.now();
  const { signal } = opts;
  const findings = new FindingList();
  const concurrency = Math.max(2, repo.backend.connections * 2);
  const progress: CheckProgress = {
    phase: 'index',
    indexFiles: 0,
    packsChecked: 0,
    snapshotsChecked: 0,
    treesChecked: 0,
    packsSelected: 0,
    packsRead: 0,
    bytesRead: 0,
    errors: 0,
    hints: 0,
    elapsedMs: 0,
  };
  let blobsRead = 0;
  const report = () => {
    progress.errors = findings.errors.length;
    progress.hints = findings.hints.length;
    progress.elapsedMs = Date.now() - started;
    opts.onProgress?.({ ...progress });
  };
  const timer = opts.onProgress ? setInterval(report, opts.progressIntervalMs ?? 10_000) : undefined;
  timer?.unref();
  try {
    const { packs: table, blobs } = await loadCheckIndex(repo, findings, { signal, onIndexFile: () => progress.indexFiles++ });

    progress.phase = 'packs';
    throwIfAborted(signal);
    const sizes = await checkPacks(repo, table, findings, signal);
    progress.packsChecked = table.size;

    progress.phase = 'snapshots';
    const snapshots = await loadSnapshots(repo, findings, concurrency, signal, () => progress.snapshotsChecked++);

    progress.phase = 'trees';
    await checkStructure(repo, blobs, snapshots, findings, { signal, concurrency, onTree: () => progress.treesChecked++ });

    const fullyRead = new Set<Id>();
    if (opts.readData) {
      progress.phase = 'read-data';
      const selected = selectPacks(table.keys(), opts.readData);
      progress.packsSelected = selected.length;
      // Missing packs are already errors; there is nothing to read.
      const present = selected.filter((id) => sizes.has(id));
      await forEachLimited(present, opts.readConcurrency ?? Math.max(2, repo.backend.connections), async (packId) => {
        throwIfAborted(signal);
        const r = await verifyPack(repo, packId, sizes.get(packId)!, table.get(packId)!, findings, signal);
        progress.packsRead++;
        progress.bytesRead += r.bytesRead;
        blobsRead += r.blobsRead;
        if (r.complete) fullyRead.add(packId);
        opts.onPackRead?.(packId, r);
      });
    }

    progress.phase = 'attribute';
    suspectPackBlobs(table, findings, fullyRead);
    if (findings.hasSuspects) await attributePaths(repo, blobs, snapshots, findings, { signal, concurrency });
    if (findings.has('pack-unreferenced') && (findings.has('blob-missing') || findings.has('tree-missing'))) {
      findings.hint(
        'index-incomplete',
        'snapshots use blobs that no index lists, and some packs are named by no index: `restic rebuild-index` may recover the missing entries from those packs',
      );
    }
    findings.finish();
    progress.phase = 'done';
    report();
    return {
      errors: findings.errors,
      hints: findings.hints,
      snapshotsChecked: progress.snapshotsChecked,
      treesChecked: progress.treesChecked,
      packsChecked: progress.packsChecked,
      packsSelected: progress.packsSelected,
      packsRead: progress.packsRead,
      bytesRead: progress.bytesRead,
      blobsRead,
      durationMs: Date.now() - started,
    };
  } finally {
    clearInterval(timer);
  }
}

/** Existence and size of every indexed pack; unindexed packs are hints. Returns the real sizes. */
async function checkPacks(repo: Repository, table: PackTable, findings: FindingList, signal?: AbortSignal): Promise<Map<Id, number>> {
  const sizes = new Map<Id, number>();
  try {
    for await (const f of repo.backend.list('data', { signal })) sizes.set(f.name, f.size);
  } catch (e) {
    rethrowIfAborted(e, signal);
    findings.error('list-failed', `the pack files cannot be listed: ${errorMessage(e)}`);
  }
  for (const [packId, entries] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const actual = sizes.get(packId);
    if (actual === undefined) {
      findings.error('pack-missing', `pack ${packId} does not exist, but the index lists ${entries.length} blob(s) in it`, { packId });
      continue;
    }
    const expected = expectedPackSize(entries);
    if (actual !== expected) {
      findings.error('pack-size-mismatch', `pack ${packId} has ${actual} bytes, but its index entries add up to ${expected}`, { packId });
    }
  }
  for (const [packId] of [...sizes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!table.has(packId)) {
      findings.hint('pack-unreferenced', `pack ${packId} is not referenced in any index (an additional file; \`restic prune\` removes it)`, { packId });
    }
  }
  return sizes;
}

async function loadSnapshots(repo: Repository, findings: FindingList, concurrency: number, signal: AbortSignal | undefined, onSnapshot: () => void): Promise<SnapshotEntry[]> {
  const ids: Id[] = [];
  try {
    for await (const f of repo.backend.list('snapshot', { signal })) ids.push(f.name);
  } catch (e) {
    rethrowIfAborted(e, signal);
    findings.error('list-failed', `the snapshot files cannot be listed: ${errorMessage(e)}`);
  }
  ids.sort();
  const loaded: (SnapshotEntry | undefined)[] = new Array(ids.length);
  await forEachLimited(
    ids.map((id, i) => ({ id, i })),
    concurrency,
    async ({ id, i }) => {
      try {
        loaded[i] = { id, snapshot: parseSnapshot(await repo.loadUnpacked('snapshot', id, { signal })) };
      } catch (e) {
        rethrowIfAborted(e, signal);
        findings.error('snapshot-unreadable', `snapshot ${id} cannot be read: ${errorMessage(e)}`, { snapshotId: id });
      } finally {
        onSnapshot();
      }
    },
  );
  return loaded.filter((s): s is SnapshotEntry => s !== undefined);
}

/**
 * Pack-level damage makes every blob in the pack suspect, unless read-data went through
 * the pack and judged each blob on its own (then the blob findings name the files).
 */
function suspectPackBlobs(table: PackTable, findings: FindingList, fullyRead: ReadonlySet<Id>): void {
  for (const f of findings.errors) {
    if (!f.packId) continue;
    const wholePack = f.code === 'pack-missing' || (f.code === 'pack-size-mismatch' && !fullyRead.has(f.packId));
    if (!wholePack) continue;
    for (const b of table.get(f.packId) ?? []) findings.suspectBlob(b.type, b.id, f);
  }
}

/**
 * The index as `check` needs it: every index file loaded on its own, so that one bad file
 * is a finding and not the end of the run, and the blob entries of each pack kept in full
 * (the master index keeps one location per blob, which is too little to recompute pack
 * sizes when a blob is stored twice), plus a master index of its own for the tree walk.
 * The repository's own index is left alone.
 */
import { errorMessage } from '../errors.ts';
import { parseIndex, type IndexBlob, type IndexFile } from '../format/index.ts';
import type { Id } from '../format/id.ts';
import { MasterIndex } from '../repository/master-index.ts';
import type { Repository } from '../repository/repository.ts';
import { forEachLimited } from '../support/concurrency.ts';
import type { FindingList } from './findings.ts';
import { rethrowIfAborted } from './abort.ts';

/** Pack id → its blob entries, identical entries from several index files merged. */
export type PackTable = Map<Id, IndexBlob[]>;

export interface CheckIndex {
  readonly packs: PackTable;
  /** Blob lookups for the tree walk, from the same index files. */
  readonly blobs: MasterIndex;
  /** The index files listed, with their sizes. */
  readonly indexFileSizes: ReadonlyMap<Id, number>;
}

export interface LoadIndexOptions {
  signal?: AbortSignal;
  /** Called after each index file, loaded or not. */
  onIndexFile?: () => void;
}

/** Loads every index file, reporting unreadable ones, duplicate and mixed packs, old formats. */
export async function loadCheckIndex(repo: Repository, findings: FindingList, opts: LoadIndexOptions = {}): Promise<CheckIndex> {
  const indexFileSizes = new Map<Id, number>();
  try {
    for await (const f of repo.backend.list('index', { signal: opts.signal })) indexFileSizes.set(f.name, f.size);
  } catch (e) {
    rethrowIfAborted(e, opts.signal);
    findings.error('list-failed', `the index files cannot be listed: ${errorMessage(e)}`);
  }
  const ids = [...indexFileSizes.keys()].sort();
  // Loaded concurrently, merged in id order so that the findings come out the same each run.
  const files: (IndexFile | undefined)[] = new Array(ids.length);
  await forEachLimited(
    ids.map((id, i) => ({ id, i })),
    Math.max(2, repo.backend.connections * 2),
    async ({ id, i }) => {
      try {
        const bytes = await repo.loadUnpacked('index', id, { signal: opts.signal });
        const file = parseIndex(bytes);
        if (firstNonSpace(bytes) === 0x5b) {
          findings.hint('index-old-format', `index ${id} has the old format; \`restic rebuild-index\` rewrites it`, { indexId: id });
        }
        files[i] = file;
      } catch (e) {
        rethrowIfAborted(e, opts.signal);
        findings.error('index-unreadable', `index ${id} cannot be read: ${errorMessage(e)}`, { indexId: id });
      } finally {
        opts.onIndexFile?.();
      }
    },
  );

  const table: PackTable = new Map();
  const blobs = new MasterIndex();
  const indexesOf = new Map<Id, Id[]>();
  files.forEach((file, i) => {
    if (!file) return;
    const indexId = ids[i]!;
    blobs.addIndexFile(indexId, file);
    for (const pack of file.packs) {
      const seen = indexesOf.get(pack.id);
      if (seen) {
        if (!seen.includes(indexId)) seen.push(indexId);
      } else {
        indexesOf.set(pack.id, [indexId]);
      }
      const entries = table.get(pack.id);
      if (!entries) {
        table.set(pack.id, [...pack.blobs]);
        continue;
      }
      // The same pack in another index file (or twice in one): keep each entry once.
      const have = new Set(entries.map(entryKey));
      for (const b of pack.blobs) {
        const k = entryKey(b);
        if (!have.has(k)) {
          have.add(k);
          entries.push(b);
        }
      }
    }
  });

  for (const [packId, entries] of table) {
    const indexes = indexesOf.get(packId) ?? [];
    if (indexes.length > 1) {
      findings.hint('pack-in-several-indexes', `pack ${packId} is named by ${indexes.length} index files: ${indexes.join(', ')}; \`restic rebuild-index\` tidies this`, { packId });
    }
    const hasData = entries.some((b) => b.type === 'data');
    const hasTree = entries.some((b) => b.type === 'tree');
    if (hasData && hasTree) {
      findings.hint('pack-mixed', `pack ${packId} holds both tree and data blobs; \`restic prune\` separates them`, { packId });
    }
  }
  return { packs: table, blobs, indexFileSizes };
}

/** Identifies an index entry completely: type, id, offset, lengths. */
export function entryKey(b: IndexBlob): string {
  return `${b.type}:${b.id}:${b.offset}:${b.length}:${b.uncompressedLength ?? 0}`;
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const c of bytes) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  return undefined;
}

/**
 * The metadata cache over a real REST server (rclone serve restic), measured: requests and
 * bytes a backup downloads with a cold cache and with a warm one. A warm cache downloads
 * no index or snapshot file it already has. Also: eviction of files deleted from the
 * repository, damaged cache files, the action's save/restore keys, and how many pack
 * uploads the backup keeps in flight when the network is the bottleneck.
 */
import * as fs from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { ReserveCacheError } from '@actions/cache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/storage/backend.ts';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { metadataCacheKeyPrefix, MetadataCacheSession, type CacheService } from '../../src/action/metadata-cache.ts';
import { backup, type BackupResult } from '../../src/engine/commands/backup.ts';
import { check } from '../../src/engine/commands/check.ts';
import { formatBytes } from '../../src/engine/support/human.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { dumpLikeText, pseudoRandomBytes } from '../helpers/data.ts';
import { startRcloneServer, type RcloneServer } from '../helpers/rclone-server.ts';
import { sharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'cache password';
const FAST_KDF = { N: 16384, r: 8, p: 1 };

/** The stack a run uses (openStorage's), with the counter right above the network so that it counts requests. */
async function openStack(url: URL, cacheDir?: string, connections?: number) {
  const storage = await openStorage(parseLocation(`rest:${url.href}`, '/'), { concurrency: connections, metadataCacheDir: cacheDir, countRequests: true });
  const backend: Backend = storage.backend;
  return { counting: storage.counting!, cached: storage.metadataCache, backend };
}

async function openRepo(url: URL, cacheDir?: string) {
  const stack = await openStack(url, cacheDir);
  const repo = await Repository.open(stack.backend, PASSWORD);
  await stack.cached?.attach(repo.id);
  stack.counting.reset();
  return { ...stack, repo };
}

function table(counts: Record<string, { calls: number; bytes: number }>): string {
  return Object.entries(counts)
    .map(([k, v]) => `    ${k.padEnd(16)} ${String(v.calls).padStart(5)} requests ${formatBytes(v.bytes).padStart(10)}`)
    .join('\n');
}

describe('the metadata cache against a REST repository', () => {
  let dir: string;
  let source: string;
  let url: URL;
  let edits = 0;

  /** Changes a few files, so that each backup adds packs, an index file and a snapshot. */
  function changeSource(): void {
    edits++;
    fs.writeFileSync(path.join(source, `d${edits % 30}`, `edit-${edits}.sql`), dumpLikeText(2_000_000, edits));
  }

  async function runBackup(repo: Repository): Promise<BackupResult> {
    return backup(repo, { targets: [source], baseDir: dir, hostname: 'cache-host' });
  }

  beforeAll(async () => {
    dir = await makeTempDir('metadata-cache');
    source = path.join(dir, 'source');
    for (let d = 0; d < 30; d++) {
      fs.mkdirSync(path.join(source, `d${d}`), { recursive: true });
      for (let f = 0; f < 40; f++) fs.writeFileSync(path.join(source, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(40 + f));
    }
    // The run's shared server: this file's repository is its alone, and the counts are taken on our side.
    url = (await sharedRestServer()).repositoryUrl('metadata-cache');
    await Repository.init((await openStack(url)).backend, PASSWORD, { kdf: FAST_KDF });
    // A history of five backups: five index files and five snapshots to cache.
    for (let i = 0; i < 5; i++) {
      changeSource();
      const { repo, backend } = await openRepo(url);
      await runBackup(repo);
      await backend.close();
    }
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('a backup with a warm cache downloads no index or snapshot file; with a cold one it downloads each once', async () => {
    const cacheDir = path.join(dir, 'cache-measured');

    // Cold: an empty cache.
    changeSource();
    const cold = await openRepo(url, cacheDir);
    const coldResult = await runBackup(cold.repo);
    await cold.backend.close();
    const coldCounts = cold.counting.counts();
    const coldTotals = cold.counting.totals();

    // Warm: the cache the cold run left, which also holds the index and snapshot it wrote.
    changeSource();
    const warm = await openRepo(url, cacheDir);
    const warmResult = await runBackup(warm.repo);
    await warm.backend.close();
    const warmCounts = warm.counting.counts();
    const warmTotals = warm.counting.totals();

    console.log(
      [
        'metadata cache, backup against rclone serve restic (5 index files, 5 snapshots before the cold run):',
        `  cold cache: ${coldTotals.calls} requests, ${formatBytes(coldTotals.bytesDownloaded)} downloaded; cache ${JSON.stringify(cold.cached!.stats)}`,
        table(coldCounts),
        `  warm cache: ${warmTotals.calls} requests, ${formatBytes(warmTotals.bytesDownloaded)} downloaded; cache ${JSON.stringify(warm.cached!.stats)}`,
        table(warmCounts),
      ].join('\n'),
    );

    expect(coldResult.parentId).toBeDefined();
    expect(warmResult.parentId).toBe(coldResult.snapshotId);
    // Cold: every index and snapshot file downloaded once, and kept.
    expect(cold.counting.count('load', 'index').calls).toBe(5);
    expect(cold.counting.count('load', 'snapshot').calls).toBe(5);
    expect(cold.cached!.stats).toMatchObject({ hits: 0, misses: 10 });
    // Warm: none downloaded, every one read from the cache (the cold run's own files included).
    expect(warm.counting.count('load', 'index').calls).toBe(0);
    expect(warm.counting.count('load', 'snapshot').calls).toBe(0);
    expect(warm.cached!.stats).toMatchObject({ hits: 12, misses: 0, invalid: 0 });
    const metadataBytes = cold.counting.count('load', 'index').bytes + cold.counting.count('load', 'snapshot').bytes;
    expect(coldTotals.bytesDownloaded - warmTotals.bytesDownloaded).toBeGreaterThanOrEqual(metadataBytes * 0.9);
    expect(warmTotals.calls).toBeLessThanOrEqual(coldTotals.calls - 10);
  });

  it('concurrent loads of one uncached file share a single download', async () => {
    const cacheDir = path.join(dir, 'cache-shared');
    const { cached, counting, repo, backend } = await openRepo(url, cacheDir);
    const first = (await backend.list('index')[Symbol.asyncIterator]().next()).value as { name: string };
    const loads = await Promise.all(Array.from({ length: 6 }, () => backend.load({ type: 'index', name: first!.name })));
    expect(new Set(loads.map((l) => Buffer.from(l).toString('hex'))).size).toBe(1);
    expect(counting.count('load', 'index').calls).toBe(1);
    expect(cached!.stats.misses).toBe(1);
    expect(repo.id).toMatch(/^[0-9a-f]{64}$/);
    await backend.close();
  });

  it('drops cached files once a listing shows the repository no longer has them', async () => {
    const cacheDir = path.join(dir, 'cache-evict');
    const first = await openRepo(url, cacheDir);
    const snapshots = await first.repo.listSnapshots();
    await first.backend.close();
    expect(await first.cached!.cachedNames('snapshot')).toHaveLength(snapshots.length);

    // Another client (say, a forget) deletes the oldest snapshot.
    const other = await openStack(url);
    const gone = snapshots[0]!.id;
    await other.backend.remove({ type: 'snapshot', name: gone });
    await other.backend.close();

    const second = await openRepo(url, cacheDir);
    const listed = await second.repo.listSnapshots();
    await second.backend.close();
    expect(listed.map((s) => s.id)).not.toContain(gone);
    expect(await second.cached!.cachedNames('snapshot')).toEqual(listed.map((s) => s.id).sort());
    expect(second.cached!.stats.evicted).toBe(1);
    expect(second.counting.count('load', 'snapshot').calls).toBe(0);
  });

  it('notices a damaged cached file by its hash and downloads it again', async () => {
    const cacheDir = path.join(dir, 'cache-damaged');
    const first = await openRepo(url, cacheDir);
    await first.repo.loadIndex();
    await first.backend.close();
    const [victim] = await first.cached!.cachedNames('index');
    const file = path.join(first.cached!.directory!, 'index', victim!.slice(0, 2), victim!);
    const bytes = fs.readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(file, bytes);

    const second = await openRepo(url, cacheDir);
    await second.repo.loadIndex();
    expect(second.cached!.stats.invalid).toBe(1);
    expect(second.counting.count('load', 'index').calls).toBe(1);
    expect(fs.readFileSync(file).equals(bytes)).toBe(false);
    const report = await check(second.repo);
    await second.backend.close();
    expect(report.errors).toEqual([]);
  });

  it('the action restores by the repository-id prefix, saves under a key for the file list, and skips an unchanged save', async () => {
    // The Actions cache service, kept in a directory: entries by key, newest last.
    const entries = new Map<string, string>();
    const service: CacheService = {
      isFeatureAvailable: () => true,
      restoreCache: async (paths, primaryKey, restoreKeys = []) => {
        const prefixes = [primaryKey, ...restoreKeys];
        const key = [...entries.keys()].reverse().find((k) => prefixes.some((p) => k.startsWith(p)));
        if (!key) return undefined;
        await rm(paths[0]!, { recursive: true, force: true });
        await cp(entries.get(key)!, paths[0]!, { recursive: true });
        return key;
      },
      saveCache: async (paths, key) => {
        if (entries.has(key)) throw new ReserveCacheError(`Unable to reserve cache with key ${key}, another job may be creating this cache.`);
        const stored = path.join(dir, 'actions-cache', String(entries.size));
        await mkdir(path.dirname(stored), { recursive: true });
        await cp(paths[0]!, stored, { recursive: true });
        entries.set(key, stored);
        return entries.size;
      },
    };
    const runnerDir = (n: number) => path.join(dir, `runner-${n}`);
    async function actionRun(n: number, work: (repo: Repository) => Promise<unknown>) {
      // Each run on a fresh runner: an empty cache directory.
      const { counting, cached } = await openStack(url, runnerDir(n));
      const session = new MetadataCacheSession(cached!, service);
      const repo = await Repository.open(session.backend, PASSWORD);
      await session.attach(repo.id);
      counting.reset();
      await work(repo);
      await session.save();
      await session.backend.close();
      return { counting, session, repo };
    }

    const first = await actionRun(1, async (repo) => {
      changeSource();
      await runBackup(repo);
    });
    expect([...entries.keys()]).toHaveLength(1);
    const [firstKey] = entries.keys();
    expect(firstKey!.startsWith(metadataCacheKeyPrefix(first.repo.id))).toBe(true);
    expect(firstKey).toMatch(/^chunkvault-meta-[0-9a-f]{64}-[0-9a-f]{16}$/);

    // A second runner restores the entry: no index or snapshot downloads; its backup adds files: a new key.
    const second = await actionRun(2, async (repo) => {
      changeSource();
      await runBackup(repo);
    });
    expect(second.counting.count('load', 'index').calls).toBe(0);
    expect(second.counting.count('load', 'snapshot').calls).toBe(0);
    expect(entries.size).toBe(2);

    // A third run that only reads: same files, same key: nothing saved.
    const third = await actionRun(3, async (repo) => {
      await repo.loadIndex();
      await repo.listSnapshots();
    });
    expect(third.counting.count('load', 'index').calls).toBe(0);
    expect(entries.size).toBe(2);
  });
});

describe('pack uploads over a slow REST server', () => {
  let dir: string;
  let server: RcloneServer;

  beforeAll(async () => {
    dir = await makeTempDir('upload-concurrency');
    fs.mkdirSync(path.join(dir, 'source'), { recursive: true });
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, 'source', `r${i}.bin`), pseudoRandomBytes(24 * 1024 * 1024, 50 + i));
    // Its own server, as the limit would slow every file sharing one. 10 MiB/s: far slower
    // than chunking and encryption here, so uploads are the bottleneck.
    server = await startRcloneServer(path.join(dir, 'served'), { args: ['--bwlimit', '10M'] });
  });

  afterAll(async () => {
    await server?.stop();
    await removeDir(dir);
  });

  it('keeps the backend connection count of uploads in flight while chunking goes on', async () => {
    const connections = 5;
    const { counting, backend } = await openStack(new URL(`${server.url}repo/`), undefined, connections);
    const repo = await Repository.init(backend, PASSWORD, { kdf: FAST_KDF });
    const started = Date.now();
    let archiveEndedMs = 0;
    const result = await backup(repo, {
      targets: [path.join(dir, 'source')],
      baseDir: dir,
      hostname: 'upload-host',
      progressIntervalMs: 25,
      onProgress: (p) => {
        if (p.phase !== 'archive' && p.phase !== 'lock' && p.phase !== 'index' && p.phase !== 'parent' && archiveEndedMs === 0) {
          archiveEndedMs = Date.now() - started;
        }
      },
    });
    const totalMs = Date.now() - started;
    await backend.close();
    const saves = counting.count('save', 'data');
    console.log(
      `uploads at 10 MiB/s, ${connections} connections: ${saves.calls} packs (${formatBytes(saves.bytes)}), ` +
        `at most ${saves.peakConcurrent} in flight; archiving done after ${archiveEndedMs} ms, backup done after ${totalMs} ms`,
    );
    expect(result.stats.packsWritten).toBeGreaterThanOrEqual(5);
    expect(saves.peakConcurrent).toBe(connections);
  });
});

/**
 * Interoperability over a real S3 server (OpenStack Swift with s3api, TLS with a self-signed
 * certificate, the run's shared one): restic 0.14 checks with --read-data and restores
 * byte for byte what chunkvault wrote to a bucket, and chunkvault checks and restores what
 * restic wrote. Both sides reach the server the same way users would: restic with
 * `--cacert` and AWS_* variables, chunkvault through openStorage with an `s3:` location.
 * A missing restic or Swift fails these tests, never skips.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/storage/backend.ts';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { checkRepository } from '../../src/engine/checker/index.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { restore } from '../../src/engine/commands/restore.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { NODE_TIME_TOLERANCE_NS } from '../helpers/restore.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import type { S3Endpoint } from '../helpers/s3-server.ts';
import { sharedS3Server } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';

const PASSWORD = 's3 interop password';
/** Cheap key derivation: the point here is the transport, not scrypt. */
const FAST_KDF = { N: 16384, r: 8, p: 1 };
/** Big enough for several packs, so that packs go up in parts and restores read ranges. */
const BIG_FILE_BYTES = 24 * 1024 * 1024;

describe('interop with restic 0.14 over S3 (Swift s3api, TLS)', () => {
  // The run's shared server; the buckets below are this file's alone.
  let server: S3Endpoint;
  let dir: string;
  let source: string;

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('s3-interop');
    source = path.join(dir, 'source');
    await mkdir(source);
    [server] = await Promise.all([sharedS3Server(), buildVariedTree(source, { bigFileBytes: BIG_FILE_BYTES })]);
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  const location = (bucket: string) => `s3:${server.rest(bucket, 'restic-repo')}`;

  /** restic as a user runs it against the server: --cacert and the standard AWS variables. */
  const runRestic = (bucket: string, args: string[]) =>
    restic(['--cacert', server.caFile, ...args], {
      repo: location(bucket),
      password: PASSWORD,
      cacheDir: dir,
      env: { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey },
    });

  /** chunkvault's backend for the same location, as the CLI and the action open it. */
  const chunkvaultBackend = async (bucket: string): Promise<Backend> =>
    (await openStorage(parseLocation(location(bucket), dir), {
      caFile: server.caFile,
      env: { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey },
    })).backend;

  it('restic check --read-data passes and restic restore gives the same bytes for what chunkvault wrote', async () => {
    // Arrange: chunkvault creates the bucket and the repository, and backs up the tree.
    const bucket = 'written-by-chunkvault';
    const backend = await chunkvaultBackend(bucket);
    let snapshotId: string;
    try {
      const repo = await Repository.init(backend, PASSWORD, { kdf: FAST_KDF });
      const result = await backup(repo, { targets: [source], baseDir: dir, hostname: 's3-host', tags: ['s3'] });
      expect(result.errors).toEqual([]);
      snapshotId = result.snapshotId;
    } finally {
      await backend.close();
    }

    // Act and assert: restic reads every pack, then restores.
    const check = await runRestic(bucket, ['--no-cache', 'check', '--read-data']);
    expect(check).toContain('no errors were found');
    expect(check).not.toMatch(/hint|error:|warning/i);

    const snapshots = JSON.parse(await runRestic(bucket, ['snapshots', '--json']));
    expect(snapshots.map((s: { id: string }) => s.id)).toEqual([snapshotId]);

    const target = path.join(dir, 'restored-by-restic');
    await runRestic(bucket, ['restore', 'latest', '--target', target]);
    expect(await compareTrees(source, path.join(target, source))).toEqual([]);
  });

  it('chunkvault checks all data and restores byte for byte what restic backed up to S3', async () => {
    // Arrange: restic creates the bucket and the repository, and backs up the tree.
    const bucket = 'written-by-restic';
    await runRestic(bucket, ['init']);
    await runRestic(bucket, ['backup', '--host', 'restic-host', source]);

    const backend = await chunkvaultBackend(bucket);
    try {
      const repo = await Repository.open(backend, PASSWORD);
      await repo.loadIndex();

      // Act: a full check, then a restore with verification.
      const report = await checkRepository(repo, { readData: { kind: 'all' } });
      const target = path.join(dir, 'restored-by-chunkvault');
      const restored = await restore(repo, { target, verify: true });

      // Assert
      expect(report.errors).toEqual([]);
      expect(report.packsRead).toBe(report.packsChecked);
      expect(report.packsRead).toBeGreaterThan(1);
      expect(restored.filesRestored).toBeGreaterThan(10);
      expect(await compareTrees(source, path.join(target, source), { mtimeToleranceNs: NODE_TIME_TOLERANCE_NS })).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});

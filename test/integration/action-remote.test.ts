/**
 * Every mode of the action against each real remote server, as a workflow would run them:
 * REST (`rclone serve restic`, with basic auth) and S3 (OpenStack Swift's s3api over TLS
 * with a self-signed certificate). backup (twice), restore, drill, forget with prune,
 * prune, check with all data read; then restic 0.14 checks the result over the same server.
 * Credentials never reach the log.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../helpers/action.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, runRestic } from '../helpers/restic.ts';
import type { S3Endpoint } from '../helpers/s3-server.ts';
import { sharedRestServer, sharedS3Server, type SharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'remote-modes-secret';

interface Remote {
  name: string;
  inputs: () => Record<string, string>;
  secrets: () => string[];
  restic: () => { repo: string; env: Record<string, string>; args: string[] };
}

describe('every action mode against the real remote servers', () => {
  let workspace: string;
  // The run's shared servers; this file keeps to its own repository and bucket on them.
  let rclone: SharedRestServer;
  let s3: S3Endpoint;

  beforeAll(async () => {
    assertResticInstalled();
    workspace = await makeTempDir('action-remote');
    [rclone, s3] = await Promise.all([sharedRestServer(), sharedS3Server()]);
  }, 120_000);
  afterAll(async () => {
    await removeDir(workspace);
  });

  const remotes: Remote[] = [
    {
      name: 'REST (rclone serve restic)',
      inputs: () => ({ repository: rclone.repository('action-modes-repo') }),
      // As written in the URL too: percent-encoded.
      secrets: () => [rclone.password, encodeURIComponent(rclone.password)],
      restic: () => ({ repo: rclone.repository('action-modes-repo'), env: {}, args: [] }),
    },
    {
      name: 'S3 (Swift s3api over TLS)',
      inputs: () => ({
        repository: `s3:${s3.rest('action-modes', 'repo')}`,
        'aws-access-key-id': s3.accessKeyId,
        'aws-secret-access-key': s3.secretAccessKey,
        'aws-region': s3.region,
        'ca-file': s3.caFile,
      }),
      secrets: () => [s3.secretAccessKey],
      restic: () => ({
        repo: `s3:${s3.rest('action-modes', 'repo')}`,
        env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_DEFAULT_REGION: s3.region },
        args: ['--cacert', s3.caFile],
      }),
    },
  ];

  for (const remote of remotes) {
    it(`${remote.name}: backup, restore, drill, forget + prune, prune, check`, async () => {
      const dir = path.join(workspace, remote.name.split(' ')[0]!.toLowerCase());
      await mkdir(path.join(dir, 'data'), { recursive: true });
      const run = async (inputs: Record<string, string>): Promise<ActionRun> => {
        const r = await runAction({ password: PASSWORD, ...remote.inputs(), ...inputs }, dir);
        for (const secret of [...remote.secrets(), PASSWORD]) {
          expect(r.stdout, `a secret in the log of ${inputs.mode ?? 'backup'}`).not.toMatch(new RegExp(`(?<!::add-mask::)${secret}`));
          expect(r.summary).not.toContain(secret);
        }
        expect(r.code, `${inputs.mode ?? 'backup'}: ${r.stdout}`).toBe(0);
        return r;
      };

      await writeFile(path.join(dir, 'data/big.bin'), pseudoRandomBytes(3 * 1024 * 1024, 7));
      await writeFile(path.join(dir, 'data/note.txt'), 'first\n');
      const first = await run({ source: 'data' });
      await writeFile(path.join(dir, 'data/big.bin'), pseudoRandomBytes(3 * 1024 * 1024, 8));
      await writeFile(path.join(dir, 'data/note.txt'), 'second\n');
      const second = await run({ source: 'data' });
      expect(second.outputs['parent-id']).toBe(first.outputs['snapshot-id']);

      const restored = await run({ mode: 'restore', target: 'restored' });
      expect(restored.outputs['snapshot-id']).toBe(second.outputs['snapshot-id']);
      expect(await readFile(path.join(dir, 'restored', dir, 'data/note.txt'), 'utf8')).toBe('second\n');
      expect((await readFile(path.join(dir, 'restored', dir, 'data/big.bin'))).equals(pseudoRandomBytes(3 * 1024 * 1024, 8))).toBe(true);

      const drill = await run({ mode: 'drill', 'max-rto': '5m', 'drill-command': 'grep -q second "$CHUNKVAULT_RESTORE_DIR'+dir+'/data/note.txt"' });
      expect(drill.outputs['drill-status']).toBe('passed');

      const forgot = await run({ mode: 'forget', 'keep-last': '1', prune: 'true' });
      expect(JSON.parse(forgot.outputs['removed-snapshots']!)).toEqual([first.outputs['snapshot-id']]);
      expect(Number(forgot.outputs['bytes-freed'])).toBeGreaterThan(2.5 * 1024 * 1024);

      const pruned = await run({ mode: 'prune' });
      expect(pruned.outputs['packs-deleted']).toBe('0');

      const checked = await run({ mode: 'check', 'read-data-subset': 'all' });
      expect(checked.outputs.errors).toBe('0');
      expect(Number(checked.outputs['packs-read'])).toBeGreaterThan(0);

      // restic 0.14 over the same server agrees.
      const r = remote.restic();
      const resticCheck = await runRestic([...r.args, 'check', '--read-data'], { repo: r.repo, password: PASSWORD, cacheDir: dir, env: r.env });
      expect(resticCheck.code, resticCheck.stderr).toBe(0);
      expect(resticCheck.stdout).toContain('no errors were found');
    }, 300_000);
  }
});

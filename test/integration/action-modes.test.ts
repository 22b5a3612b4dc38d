/**
 * The read-side modes of the action, driven as GitHub drives them: snapshots, restore,
 * drill (passing and failing each way) and check (clean and damaged).
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { compareTrees } from '../helpers/tree.ts';
import { dumpLikeText } from '../helpers/data.ts';

const PASSWORD = 'modes-secret';

describe('the action in restore, drill, check and snapshots modes', () => {
  let workspace: string;
  let snapshotId: string;
  const base = () => ({ repository: 'repo', password: PASSWORD });
  const scratchLeft = async () => (await readdir(workspace)).filter((n) => n.startsWith('chunkvault-drill-'));

  beforeAll(async () => {
    workspace = await makeTempDir('modes');
    await mkdir(path.join(workspace, 'data/nested'), { recursive: true });
    await writeFile(path.join(workspace, 'data/dump.sql'), dumpLikeText(3 * 1024 * 1024, 4));
    await writeFile(path.join(workspace, 'data/nested/note.txt'), 'restore me\n');
    const run = await runAction({ ...base(), source: 'data', tags: 'nightly' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    snapshotId = run.outputs['snapshot-id']!;
  });
  afterAll(() => removeDir(workspace));

  it('lists snapshots as a JSON output and a summary table', async () => {
    const run = await runAction({ ...base(), mode: 'snapshots', tags: 'nightly' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const list = JSON.parse(run.outputs.snapshots!);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: snapshotId, hostname: 'octo-org/app', tags: ['nightly'], paths: [path.join(workspace, 'data')] });
    expect(list[0].summary.files_new).toBe(2);
    expect(run.summary).toContain(snapshotId.slice(0, 8));
    // The log has the CLI's table too, not only a count.
    expect(run.stdout).toMatch(new RegExp(`^ID +Time +Host +Tags +Size +Paths$[\\s\\S]*^${snapshotId.slice(0, 8)}  .*nightly`, 'm'));
    const none = await runAction({ ...base(), mode: 'snapshots', tags: 'weekly', target: 'somewhere', init: 'true' }, workspace);
    expect(JSON.parse(none.outputs.snapshots!)).toEqual([]);
    // An input the mode does not read is pointed out; a default value (init: true) is not.
    expect(none.stdout).toContain("::warning::input 'target' is not used in mode 'snapshots' and is ignored");
    expect(none.stdout).not.toContain("input 'init'");
  });

  it('restores the latest snapshot into a target and sets its outputs', async () => {
    const run = await runAction({ ...base(), mode: 'restore', target: 'restored' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['snapshot-id']).toBe(snapshotId);
    expect(run.outputs['files-restored']).toBe('2');
    expect(Number(run.outputs['bytes-restored'])).toBe(3 * 1024 * 1024 + 11);
    expect(Number(run.outputs['duration-ms'])).toBeGreaterThan(0);
    expect(await compareTrees(path.join(workspace, 'data'), path.join(workspace, 'restored', workspace, 'data'), { mtimeToleranceNs: 1000 })).toEqual([]);
    const again = await runAction({ ...base(), mode: 'restore', target: 'restored' }, workspace);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toMatch(/not empty|overwrite/i);
  });

  it('passes a drill with a drill-command, reports its figures, and removes the scratch directory', async () => {
    const run = await runAction(
      {
        ...base(),
        mode: 'drill',
        'max-snapshot-age': '1h',
        'max-rto': '10m',
        'drill-command': `grep -q "restore me" "$CHUNKVAULT_RESTORE_DIR${workspace}/data/nested/note.txt" && echo drill-command-ran`,
      },
      workspace,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('drill-command-ran');
    expect(run.outputs['drill-status']).toBe('passed');
    expect(run.outputs['snapshot-id']).toBe(snapshotId);
    expect(run.outputs['files-verified']).toBe('2');
    expect(Number(run.outputs['bytes-verified'])).toBe(3 * 1024 * 1024 + 11);
    expect(Number(run.outputs['rto-seconds'])).toBeGreaterThan(0);
    expect(Number(run.outputs['snapshot-age-seconds'])).toBeGreaterThanOrEqual(0);
    expect(run.summary).toContain('Restore drill passed');
    expect(run.summary).toContain('Recovery time (RTO)');
    expect(await scratchLeft()).toEqual([]);
  });

  it.each([
    ['its drill-command fails', { 'drill-command': 'echo "pg_restore: error: could not connect" >&2; exit 3' }, 'Drill command', /exited 3.*could not connect/, false],
    ['recovery takes longer than max-rto', { 'max-rto': '1ms' }, 'Recovery time (RTO)', /more than the allowed/, true],
    // A stale snapshot is still restored and verified: the RTO is measured and reported.
    ['the snapshot is older than max-snapshot-age', { 'max-snapshot-age': '1ms' }, 'Snapshot age', /old, more than the allowed 1 ms.*recovery itself took/, true],
  ])('fails a drill when %s, names the step, and removes the scratch directory', async (_what, inputs, step, detail, measured) => {
    const run = await runAction({ ...base(), mode: 'drill', ...inputs }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.outputs['drill-status']).toBe('failed');
    const failure = run.stdout.split('\n').find((l) => l.startsWith('::error::'))!;
    expect(failure).toContain(`restore drill failed at '${step}'`);
    expect(failure).toMatch(detail);
    expect(run.summary).toContain('Restore drill failed');
    expect(Number(run.outputs['rto-seconds']) > 0).toBe(measured);
    expect(run.summary.includes('Recovery time (RTO) <b>')).toBe(measured);
    expect(await scratchLeft()).toEqual([]);
  });

  it('fails a drill that restores nothing (include patterns matching nothing) instead of passing it', async () => {
    const run = await runAction({ ...base(), mode: 'drill', include: '/no/such/path/**' }, workspace);
    expect(run.code).not.toBe(0);
    const failure = run.stdout.split('\n').find((l) => l.startsWith('::error::'))!;
    expect(failure).toContain("restore drill failed at 'Verify against the snapshot'");
    expect(failure).toMatch(/no file was restored/);
    expect(await scratchLeft()).toEqual([]);
  });

  it('runs the drill command without the password in its environment, and does not wait for what it leaves running', async () => {
    const started = Date.now();
    const run = await runAction(
      {
        ...base(),
        mode: 'drill',
        'drill-command': 'env | grep -c -e INPUT_PASSWORD -e modes-secret || true; (sleep 60 &); sleep 60 & echo background-started',
        'keep-restore': 'true',
      },
      workspace,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('background-started');
    expect(run.stdout).toMatch(/\|\s*0\s*$/m); // grep -c counted no line with the password
    expect(Date.now() - started).toBeLessThan(30_000);
    const kept = run.outputs['restore-dir']!;
    expect(kept).toContain('chunkvault-drill-');
    expect((await readFile(path.join(kept, workspace, 'data/nested/note.txt'), 'utf8'))).toBe('restore me\n');
    const { rm } = await import('node:fs/promises');
    await rm(path.dirname(kept), { recursive: true, force: true });
  });

  it('checks the repository clean, then reports a damaged pack with the affected file', async () => {
    const clean = await runAction({ ...base(), mode: 'check', 'read-data-subset': 'all' }, workspace);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.outputs.errors).toBe('0');
    expect(Number(clean.outputs['packs-read'])).toBeGreaterThan(0);
    expect(Number(clean.outputs['bytes-read'])).toBeGreaterThan(0);

    // Flip one byte in the data pack (the largest; the tree pack is small).
    const dataDir = path.join(workspace, 'repo/data');
    let packPath = '';
    let packSize = -1;
    for (const sub of await readdir(dataDir)) {
      for (const name of await readdir(path.join(dataDir, sub))) {
        const size = (await stat(path.join(dataDir, sub, name))).size;
        if (size > packSize) [packPath, packSize] = [path.join(dataDir, sub, name), size];
      }
    }
    const bytes = await readFile(packPath);
    bytes[10] = bytes[10]! ^ 0xff;
    const { chmod } = await import('node:fs/promises');
    await chmod(packPath, 0o600);
    await writeFile(packPath, bytes);
    const damaged = await runAction({ ...base(), mode: 'check', 'read-data-subset': 'all' }, workspace);
    expect(damaged.code).not.toBe(0);
    expect(Number(damaged.outputs.errors)).toBeGreaterThan(0);
    expect(damaged.stdout).toMatch(/::error::/);
    expect(damaged.summary).toContain('Repository check found');
    expect(damaged.stdout).toMatch(/dump\.sql|note\.txt/);

    // A drill on the damaged repository fails at the restore, naming what is lost.
    const drill = await runAction({ ...base(), mode: 'drill' }, workspace);
    expect(drill.code).not.toBe(0);
    expect(drill.outputs['drill-status']).toBe('failed');
    const failure = drill.stdout.split('\n').find((l) => l.startsWith('::error::'))!;
    expect(failure).toContain("restore drill failed at 'Restore into scratch'");
    expect(failure).toMatch(/dump\.sql|note\.txt/);
    expect(await scratchLeft()).toEqual([]);
  });
});

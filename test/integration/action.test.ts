/**
 * The action entry point driven as GitHub drives it: INPUT_* variables in, GITHUB_OUTPUT
 * and the job summary out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'action-secret-password';

/** The runner hides a value once `::add-mask::` names it; it must appear nowhere else. */
function expectMaskedOnly(log: string, secret: string): void {
  expect(log).toContain(`::add-mask::${secret}\n`);
  expect(log.replace(`::add-mask::${secret}\n`, '')).not.toContain(secret);
}

describe('the action in backup mode', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await makeTempDir('action');
    await mkdir(path.join(workspace, 'dist/assets'), { recursive: true });
    await writeFile(path.join(workspace, 'dist/app.js'), 'console.log("app")\n'.repeat(1000));
    await writeFile(path.join(workspace, 'dist/assets/logo.svg'), '<svg/>\n');
    await writeFile(path.join(workspace, 'dist/debug.log'), 'noise\n');
    await mkdir(path.join(workspace, 'db'));
    await writeFile(path.join(workspace, 'db/dump.sql'), 'INSERT INTO t VALUES (1);\n'.repeat(5000));
  });
  afterAll(() => removeDir(workspace));

  it('creates the repository, backs up sources and globs, and sets every output', async () => {
    const run = await runAction(
      {
        repository: 'backups/repo',
        password: PASSWORD,
        source: 'dist\ndb/*.sql',
        exclude: '*.log',
        tags: 'nightly, ci',
      },
      workspace,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const o = run.outputs;
    expect(o['snapshot-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(o['snapshot-short-id']).toBe(o['snapshot-id']!.slice(0, 8));
    expect(o['parent-id']).toBe('');
    expect(o['files-new']).toBe('3');
    expect(o['files-changed']).toBe('0');
    expect(o['files-unmodified']).toBe('0');
    expect(Number(o['bytes-processed'])).toBe(19000 + 7 + 26 * 5000);
    expect(Number(o['bytes-added'])).toBeGreaterThan(0);
    expect(Number(o['duration-ms'])).toBeGreaterThan(0);
    expect(o['error-count']).toBe('0');
    expect(run.summary).toContain(o['snapshot-id']);
    expect(run.summary).toContain('Dedup ratio');
    expectMaskedOnly(run.stdout, PASSWORD);

    const snapshots = JSON.parse(
      await restic(['snapshots', '--json'], { repo: path.join(workspace, 'backups/repo'), password: PASSWORD, cacheDir: workspace }),
    );
    expect(snapshots[0].hostname).toBe('octo-org/app');
    expect(snapshots[0].tags).toEqual(['nightly', 'ci']);
    expect(snapshots[0].paths).toEqual([path.join(workspace, 'db/dump.sql'), path.join(workspace, 'dist')]);
  });

  it('finds the parent on the next run and reports unmodified files', async () => {
    const run = await runAction({ repository: 'backups/repo', password: PASSWORD, source: 'dist\ndb/*.sql', exclude: '*.log' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['parent-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(run.outputs['files-unmodified']).toBe('3');
    expect(run.outputs['files-new']).toBe('0');
  });

  it('writes the snapshot despite a source error, then fails the step unless fail-on-error is false', async () => {
    const inputs = { repository: 'backups/repo', password: PASSWORD, source: 'dist\nno-such-dir' };
    const strict = await runAction(inputs, workspace);
    expect(strict.code).not.toBe(0);
    expect(strict.outputs['snapshot-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(strict.outputs['error-count'])).toBeGreaterThanOrEqual(1);
    expect(strict.stdout).toContain("source 'no-such-dir' matched nothing");

    const lenient = await runAction({ ...inputs, 'fail-on-error': 'false' }, workspace);
    expect(lenient.code, lenient.stdout).toBe(0);
    expect(lenient.outputs['error-count']).toBe(strict.outputs['error-count']);
  });

  it('fails clearly on a wrong password without printing it', async () => {
    const run = await runAction({ repository: 'backups/repo', password: 'not the password', source: 'dist' }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('wrong password');
    expectMaskedOnly(run.stdout, 'not the password');
    // The run page says so too: what failed, the message, the input to change.
    expect(run.summary).toMatch(/<h2>chunkvault: ❌ backup failed<\/h2>[\s\S]*wrong password[\s\S]*What to change: [\s\S]*<code>password<\/code>/);
    expect(run.summary).not.toContain('not the password');
  });

  it('fails when the repository is missing and init is false', async () => {
    const run = await runAction({ repository: 'backups/none', password: PASSWORD, source: 'dist', init: 'false' }, workspace);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(`::error::input 'repository': no repository at ${path.join(workspace, 'backups/none')} (it has no config file): check it, or set 'init: true' to create one`);
    expect(run.summary).toMatch(/❌ backup failed[\s\S]*no repository at[\s\S]*init: true/);
  });

  it('leaves the repository out when it lies inside a backed-up directory', async () => {
    const run = await runAction({ repository: 'backups/repo', password: PASSWORD, source: '.' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const listing = await restic(['ls', 'latest'], { repo: path.join(workspace, 'backups/repo'), password: PASSWORD, cacheDir: workspace });
    expect(listing).toContain(path.join(workspace, 'dist/app.js'));
    expect(listing).toContain(path.join(workspace, 'backups'));
    expect(listing).not.toContain(path.join(workspace, 'backups/repo'));
  });
});

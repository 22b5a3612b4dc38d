/**
 * The action's diff and stats modes, driven as GitHub drives them: their outputs carry
 * restic's own figures (compared with restic 0.14's --json on the same repository), the
 * log has restic's lines, and the job summary the counts.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'diff-stats-secret';

describe('the action in diff and stats modes', () => {
  let workspace: string;
  const first: string[] = [];
  const base = () => ({ repository: 'repo', password: PASSWORD });
  const resticOpts = () => ({ repo: path.join(workspace, 'repo'), password: PASSWORD, cacheDir: workspace });

  beforeAll(async () => {
    assertResticInstalled();
    workspace = await makeTempDir('action-diff-stats');
    await mkdir(path.join(workspace, 'data/old'), { recursive: true });
    await writeFile(path.join(workspace, 'data/keep.txt'), 'unchanged\n');
    await writeFile(path.join(workspace, 'data/edit.txt'), 'before\n');
    await writeFile(path.join(workspace, 'data/old/gone.txt'), 'removed later\n');
    for (const step of [0, 1]) {
      if (step === 1) {
        await writeFile(path.join(workspace, 'data/edit.txt'), 'after, longer\n');
        await rm(path.join(workspace, 'data/old'), { recursive: true });
        await mkdir(path.join(workspace, 'data/new'));
        await writeFile(path.join(workspace, 'data/new/one.txt'), 'one\n');
        await writeFile(path.join(workspace, 'data/new/two.txt'), 'two\n');
      }
      const run = await runAction({ ...base(), source: 'data' }, workspace);
      expect(run.code, run.stdout).toBe(0);
      first.push(run.outputs['snapshot-id']!);
    }
  });
  afterAll(() => removeDir(workspace));

  it('compares the latest snapshot with its parent: restic\'s statistics as outputs, its lines in the log', async () => {
    const run = await runAction({ ...base(), mode: 'diff' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const theirs = (await restic(['diff', '--json', first[0]!, first[1]!], resticOpts())).trim().split('\n').at(-1)!;
    expect(run.outputs['diff-statistics']).toBe(theirs);
    expect(run.outputs['files-added']).toBe('2');
    expect(run.outputs['files-removed']).toBe('1');
    expect(run.outputs['files-changed']).toBe('1');
    expect(run.stdout).toContain(`M    ${workspace}/data/edit.txt`);
    expect(run.stdout).toContain(`-    ${workspace}/data/old/`);
    expect(run.stdout).toContain('Files:           2 new,     1 removed,     1 changed');
    expect(run.summary).toContain('chunkvault: diff: 2 file(s) added, 1 removed, 1 changed');
    expect(run.summary).toContain(`<code>+</code></td><td><code>${workspace}/data/new/one.txt</code>`);
  });

  it('takes base-snapshot and diff-metadata, and fails clearly on an unknown base', async () => {
    const run = await runAction({ ...base(), mode: 'diff', snapshot: first[0]!, 'base-snapshot': first[1]!.slice(0, 8), 'diff-metadata': 'true' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const theirs = (await restic(['diff', '--json', '--metadata', first[1]!, first[0]!], resticOpts())).trim().split('\n').at(-1)!;
    expect(run.outputs['diff-statistics']).toBe(theirs);
    expect(run.outputs['files-added']).toBe('1');
    const wrong = await runAction({ ...base(), mode: 'diff', 'base-snapshot': 'deadbeef' }, workspace);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toContain("::error::input 'base-snapshot': no snapshot has an id starting with 'deadbeef' (mode 'snapshots' lists them)");
    // The first snapshot has no parent and nothing older: the error names the input to set.
    const first0 = await runAction({ ...base(), mode: 'diff', snapshot: first[0]! }, workspace);
    expect(first0.code).not.toBe(0);
    expect(first0.stdout).toContain(`::error::snapshot ${first[0]!.slice(0, 8)} has no parent and no older snapshot passes host, tags and path: set input 'base-snapshot'`);
  });

  it('counts stats of the latest snapshot and of all, with restic\'s figures', async () => {
    const latest = await runAction({ ...base(), mode: 'stats' }, workspace);
    expect(latest.code, latest.stdout).toBe(0);
    const theirsLatest = (await restic(['stats', '--json', 'latest'], resticOpts())).trim();
    expect(latest.outputs.stats).toBe(theirsLatest);
    expect(latest.outputs['total-size']).toBe(String(JSON.parse(theirsLatest).total_size));
    expect(latest.outputs['total-file-count']).toBe(String(JSON.parse(theirsLatest).total_file_count));
    expect(latest.stdout).toContain('Stats in restore-size mode:');
    expect(latest.summary).toContain('chunkvault: stats (restore-size)');

    const all = await runAction({ ...base(), mode: 'stats', snapshot: 'all', 'stats-mode': 'raw-data' }, workspace);
    expect(all.code, all.stdout).toBe(0);
    const theirsAll = (await restic(['stats', '--json', '--mode', 'raw-data'], resticOpts())).trim();
    expect(all.outputs.stats).toBe(theirsAll);
    expect(JSON.parse(all.outputs.stats!).snapshots_count).toBe(2);
    expect(all.outputs['total-file-count']).toBe('0');

    const badMode = await runAction({ ...base(), mode: 'stats', 'stats-mode': 'bytes' }, workspace);
    expect(badMode.code).not.toBe(0);
    expect(badMode.stdout).toContain("::error::input 'stats-mode' must be one of restore-size, files-by-contents, blobs-per-file, raw-data; got 'bytes'");
  });

  it('compares with the parent, not merely the snapshot before, when a backup of other paths came between', async () => {
    await mkdir(path.join(workspace, 'other'));
    await writeFile(path.join(workspace, 'other/file.txt'), 'another source\n');
    const between = await runAction({ ...base(), source: 'other' }, workspace);
    expect(between.code, between.stdout).toBe(0);
    await writeFile(path.join(workspace, 'data/keep.txt'), 'changed at last\n');
    const latest = await runAction({ ...base(), source: 'data' }, workspace);
    expect(latest.code, latest.stdout).toBe(0);
    const run = await runAction({ ...base(), mode: 'diff' }, workspace);
    expect(run.code, run.stdout).toBe(0);
    const stats = JSON.parse(run.outputs['diff-statistics']!) as { source_snapshot: string; target_snapshot: string; changed_files: number };
    expect(stats).toMatchObject({ source_snapshot: first[1], target_snapshot: latest.outputs['snapshot-id'], changed_files: 1 });
  });
});

/**
 * `tag` (CLI and action mode), judged by restic 0.14: a tagged snapshot is a new snapshot
 * file naming the original, `restic check --read-data` passes, and what we write equals
 * what restic writes for the same change on a copy of the repository.
 */
import { cp, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { Repository } from '../../src/engine/index.ts';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'tag test';

interface ResticSnapshot {
  id: string;
  time: string;
  tree: string;
  paths: string[];
  hostname: string;
  tags?: string[];
  original?: string;
}

describe('tag', () => {
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    dir = await makeTempDir('cv-tag-');
    await writeFile(path.join(dir, 'data'), 'tag test data\n');
  });
  afterAll(() => removeDir(dir));

  async function fixture() {
    const repo = path.join(dir, `repo-${++n}`);
    const opts = { repo, password: PASSWORD, cacheDir: dir };
    await initCheapRepository(repo, PASSWORD);
    const cli = (args: string[], repoDir = repo) => runCli(['-r', repoDir, ...args], { CHUNKVAULT_PASSWORD: PASSWORD }, dir);
    const snapshots = async (repoDir = repo) => JSON.parse(await restic(['snapshots', '--json'], { ...opts, repo: repoDir })) as ResticSnapshot[];
    const check = (repoDir = repo) => restic(['check', '--read-data'], { ...opts, repo: repoDir });
    return { repo, opts, cli, snapshots, check };
  }

  it('changes a restic snapshot exactly as restic tag does, and restic checks the result', async () => {
    const { repo, opts, cli, snapshots, check } = await fixture();
    await restic(['backup', '--tag', 'a,b', '--host', 'h1', path.join(dir, 'data')], opts);
    const [before] = await snapshots();
    const copy = `${repo}-copy`;
    await cp(repo, copy, { recursive: true });

    const r = await cli(['tag', '--add', 'c', '--remove', 'a', before!.id.slice(0, 8)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('modified tags on 1 snapshot');
    await restic(['tag', '--add', 'c', '--remove', 'a', before!.id], { ...opts, repo: copy });

    const [ours] = await snapshots();
    const [theirs] = await snapshots(copy);
    // Everything restic shows is the same except the new file's id (random IV).
    const { id: oursId, short_id: _a, ...oursRest } = ours as ResticSnapshot & { short_id: string };
    const { id: theirsId, short_id: _b, ...theirsRest } = theirs as ResticSnapshot & { short_id: string };
    expect(oursRest).toEqual(theirsRest);
    expect(ours!.tags).toEqual(['c', 'b']);
    expect(ours!.original).toBe(before!.id);
    expect(oursId).not.toBe(before!.id);
    expect(theirsId).not.toBe(before!.id);
    expect(await readdir(path.join(repo, 'snapshots'))).toEqual([oursId]);
    await check();
  }, 120_000);

  it('keeps original through a chain of changes by restic and by us, filters without ids, and --set replaces', async () => {
    const { opts, cli, snapshots, check } = await fixture();
    expect((await cli(['backup', '--host', 'h1', '--tag', 'x', path.join(dir, 'data')])).code).toBe(0);
    await restic(['backup', '--host', 'h2', '--tag', 'x', path.join(dir, 'data')], opts);
    const first = await snapshots();
    const ofHost = (list: ResticSnapshot[], host: string) => list.find((s) => s.hostname === host)!;
    const ourFirst = ofHost(first, 'h1');

    // restic tags ours, then we tag restic's result: `original` stays the first id.
    await restic(['tag', '--add', 'by-restic', ourFirst.id], opts);
    const r = await cli(['tag', '--host', 'h1', '--add', 'by-us']);
    expect(r.code, r.stderr).toBe(0);
    const second = await snapshots();
    expect(ofHost(second, 'h1')).toMatchObject({ tags: ['x', 'by-restic', 'by-us'], original: ourFirst.id });
    // The other host's snapshot was not selected, so it is untouched (same id, no original).
    expect(ofHost(second, 'h2')).toEqual(ofHost(first, 'h2'));

    const set = await cli(['tag', '--set', 'y,z', '--tag', 'x']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('modified tags on 2 snapshots');
    const third = await snapshots();
    expect(third.map((s) => s.tags)).toEqual([['y', 'z'], ['y', 'z']]);
    expect(ofHost(third, 'h2').original).toBe(ofHost(first, 'h2').id);
    // restic tags a snapshot we retagged.
    await restic(['tag', '--remove', 'y', ofHost(third, 'h2').id], opts);
    expect(ofHost(await snapshots(), 'h2')).toMatchObject({ tags: ['z'], original: ofHost(first, 'h2').id });
    await check();
  }, 120_000);

  it('keeps fields it does not model (rustic description and label) and refuses conflicting flags', async () => {
    const { repo, cli, check } = await fixture();
    const r = await Repository.open(new LocalBackend(repo), PASSWORD);
    await restic(['backup', path.join(dir, 'data')], { repo, password: PASSWORD, cacheDir: dir });
    const [snapshotId] = (await readdir(path.join(repo, 'snapshots'))) as [string];
    const restics = JSON.parse(new TextDecoder().decode(await r.loadUnpacked('snapshot', snapshotId))) as Record<string, unknown>;
    const withExtras = { ...restics, label: 'nightly <db>', description: 'before the migration\nline 2', delete: 'NotSet' };
    await r.backend.remove({ type: 'snapshot', name: snapshotId });
    const { id } = await r.saveUnpacked('snapshot', new TextEncoder().encode(JSON.stringify(withExtras)));

    expect((await cli(['tag', '--add', 'kept', id])).code).toBe(0);
    const [newId] = await readdir(path.join(repo, 'snapshots'));
    const stored = JSON.parse(new TextDecoder().decode(await r.loadUnpacked('snapshot', newId!))) as Record<string, unknown>;
    expect(stored).toEqual({ ...withExtras, tags: ['kept'], original: id });
    await check();

    const both = await cli(['tag', '--set', 'a', '--add', 'b', newId!]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--set and --add\/--remove cannot be given at the same time/);
    const none = await cli(['tag', newId!]);
    expect(none.stderr).toMatch(/nothing to do/);
    expect(await readdir(path.join(repo, 'snapshots'))).toEqual([newId]);
  }, 120_000);

  it('action mode tag: adds tags to every snapshot of a host and reports the changes', async () => {
    const { repo, opts, snapshots, check } = await fixture();
    await restic(['backup', '--host', 'ci', path.join(dir, 'data')], opts);
    await restic(['backup', '--host', 'laptop', path.join(dir, 'data')], opts);
    const before = await snapshots();
    const run = await runAction({ mode: 'tag', repository: repo, password: PASSWORD, snapshot: 'all', host: 'ci', 'add-tags': 'verified, kept' }, dir);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['changed-count']).toBe('1');
    const changes = JSON.parse(run.outputs['changed-snapshots']!) as { old_id: string; new_id: string; original: string; tags: string[] }[];
    const ci = before.find((s) => s.hostname === 'ci')!;
    expect(changes).toEqual([{ old_id: ci.id, new_id: expect.stringMatching(/^[0-9a-f]{64}$/), original: ci.id, tags: ['verified', 'kept'] }]);
    const after = await snapshots();
    expect(after.find((s) => s.hostname === 'ci')).toMatchObject({ id: changes[0]!.new_id, tags: ['verified', 'kept'], original: ci.id });
    expect(after.find((s) => s.hostname === 'laptop')).toEqual(before.find((s) => s.hostname === 'laptop'));
    expect(run.summary).toContain('tags changed on 1 snapshot');
    await check();

    const bad = await runAction({ mode: 'tag', repository: repo, password: PASSWORD, 'set-tags': 'a', 'remove-tags': 'b' }, dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/::error::input 'set-tags' and 'add-tags'\/'remove-tags' cannot be given at the same time/);
    const missing = await runAction({ mode: 'tag', repository: repo, password: PASSWORD, snapshot: 'ffffffff', 'add-tags': 'x' }, dir);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toMatch(/::error::input 'snapshot': no snapshot has an id starting with 'ffffffff'/);
    expect(await snapshots()).toEqual(after);
  }, 120_000);
});

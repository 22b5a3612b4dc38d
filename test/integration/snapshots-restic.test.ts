/**
 * The snapshot commands beside restic 0.14 on one repository: `snapshots --json` (all,
 * by id, --latest, --group-by) parsed and compared field for field with restic's, for
 * snapshots restic wrote in a non-UTC zone and ones we wrote; a description restic still
 * reads, checks and restores around; `forget ID...` judged by restic; and the action's
 * provenance tags finding the snapshot of a commit for a restore.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { assertResticInstalled, restic, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'snapshot commands';

type SnapshotJson = Record<string, unknown> & { id: string; short_id: string; time: string };
type GroupJson = { group_key: unknown; snapshots: SnapshotJson[] };

/** Our fields restic 0.14 does not know; everything else must be restic's, in its order. */
const OUR_EXTRAS = new Set(['description', 'summary']);

function withoutExtras(list: SnapshotJson[]): SnapshotJson[] {
  return list.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !OUR_EXTRAS.has(k))) as SnapshotJson);
}

describe('snapshot commands beside restic 0.14', () => {
  let dir: string;
  let repo: string;
  let src: string;
  let described: string;
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir });
  const env = () => ({ CHUNKVAULT_PASSWORD: PASSWORD, TZ: 'UTC' });
  const ours = async (args: string[]) => {
    const r = await runCli(['-r', repo, ...args], env(), dir);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const resticJson = async (args: string[]) => JSON.parse(await restic(['snapshots', '--json', ...args], opts())) as unknown;
  const oursJson = async (args: string[]) => JSON.parse((await ours(['--json', 'snapshots', ...args])).stdout) as unknown;
  const resticIds = async () => ((await resticJson([])) as SnapshotJson[]).map((s) => s.id).sort();

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-snapshots-');
    repo = path.join(dir, 'repo');
    src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'sub'), { recursive: true });
    await fs.writeFile(path.join(src, 'a.txt'), 'first\n');
    await initCheapRepository(repo, PASSWORD);
    // restic writes local time: +05:30 here, which our output must keep as written.
    const kolkata = { ...opts(), env: { TZ: 'Asia/Kolkata' } };
    await restic(['backup', '--host', 'web', '--tag', 'nightly', '--time', '2026-01-01 10:00:00', src], kolkata);
    await restic(['backup', '--host', 'web', '--tag', 'nightly', '--time', '2026-01-02 10:00:00', src], kolkata);
    await restic(['backup', '--host', 'db', '--time', '2026-01-02 11:00:00', path.join(src, 'sub')], opts());
    await fs.writeFile(path.join(src, 'a.txt'), 'second\n');
    const r = await ours(['backup', '--host', 'web', '--tag', 'release', '--description', 'release 1.2 from https://ci.example/run/7', '--parent', 'latest', src]);
    described = /snapshot ([0-9a-f]{8}) saved/.exec(r.stdout + r.stderr)![1]!;
    await ours(['backup', '--host', 'db', path.join(src, 'sub')]);
  }, 180_000);
  afterAll(() => removeDir(dir));

  it('prints restic 0.14 JSON field for field, for restic-written (+05:30) and our snapshots', async () => {
    const theirs = (await resticJson([])) as SnapshotJson[];
    const mine = (await oursJson([])) as SnapshotJson[];
    expect(theirs).toHaveLength(5);
    expect(theirs.some((s) => s.time.endsWith('+05:30'))).toBe(true);
    expect(withoutExtras(mine)).toEqual(theirs);
    // Key order too, so that a script reading either sees the same document.
    expect(withoutExtras(mine).map((s) => Object.keys(s))).toEqual(theirs.map((s) => Object.keys(s)));
    expect(mine.find((s) => s.short_id === described)).toMatchObject({ description: 'release 1.2 from https://ci.example/run/7' });
  });

  it.each([
    ['named ids and prefixes', (ids: string[]) => [ids[0]!.slice(0, 6), ids[3]!, ids[0]!]],
    ['latest with a filter', () => ['--host', 'web', 'latest']],
    ['--latest 1', () => ['--latest', '1']],
    ['--latest 2 --host web', () => ['--latest', '2', '--host', 'web']],
    ['--tag nightly', () => ['--tag', 'nightly']],
  ])('selects what restic selects: %s', async (_, args) => {
    const ids = ((await resticJson([])) as SnapshotJson[]).map((s) => s.id);
    const a = args(ids);
    const mine = withoutExtras((await oursJson(a)) as SnapshotJson[]);
    expect(mine).toEqual(await resticJson(a));
    expect(mine.length).toBeLessThan(ids.length);
  });

  it('groups as restic does with --group-by (groups compared as a set: restic prints them in random order)', async () => {
    for (const a of [['--group-by', 'host'], ['--group-by', 'host,paths,tags', '--latest', '1']]) {
      const key = (g: GroupJson) => JSON.stringify(g.group_key);
      const sorted = (l: GroupJson[]) => [...l].sort((x, y) => key(x).localeCompare(key(y)));
      const mine = sorted(await (oursJson(a) as Promise<GroupJson[]>)).map((g) => ({ ...g, snapshots: withoutExtras(g.snapshots) }));
      expect(mine).toEqual(sorted((await resticJson(a)) as GroupJson[]));
    }
  });

  it('warns about and skips an unknown id, as restic', async () => {
    const r = await runCli(['-r', repo, '--json', 'snapshots', 'deadbeef', described], env(), dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("ignoring 'deadbeef'");
    expect((JSON.parse(r.stdout) as SnapshotJson[]).map((s) => s.short_id)).toEqual([described]);
  });

  it('writes a description restic 0.14 still checks, lists and restores', async () => {
    await restic(['check', '--read-data'], opts());
    const listed = (await resticJson([described])) as SnapshotJson[];
    expect(listed.map((s) => s.short_id)).toEqual([described]);
    const target = path.join(dir, 'restic-restore');
    await restic(['restore', described, '--target', target], opts());
    expect(await fs.readFile(path.join(target, src, 'a.txt'), 'utf8')).toBe('second\n');
    // --parent latest took the newest web snapshot of the same paths.
    const mine = (await oursJson([described])) as SnapshotJson[];
    const webNewest = ((await resticJson(['--host', 'web', '--tag', 'nightly', 'latest'])) as SnapshotJson[])[0]!;
    expect(mine[0]!.parent).toBe(webNewest.id);
  });

  it('forgets named snapshots: a dry run changes nothing, then restic agrees and checks', async () => {
    const before = await resticIds();
    const victims = before.filter((id) => id.startsWith(described) === false).slice(0, 2);
    const dry = await ours(['forget', '--dry-run', victims[0]!.slice(0, 7), victims[1]!]);
    expect(dry.stdout).toContain('2 snapshot(s) would be removed');
    expect(await resticIds()).toEqual(before);
    const real = await ours(['forget', '--prune', victims[0]!.slice(0, 7), victims[1]!, 'feedface']);
    expect(real.stderr).toContain("ignoring 'feedface'");
    expect(real.stdout).toContain('2 snapshot(s) removed');
    expect(await resticIds()).toEqual(before.filter((id) => !victims.includes(id)));
    const check = await runRestic(['check', '--read-data'], opts());
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 120_000);

  it('action: provenance tags find the snapshot of a commit, which restores; snapshot-ids and latest list like restic', async () => {
    const workspace = path.join(dir, 'ws');
    await fs.mkdir(path.join(workspace, 'site'), { recursive: true });
    await fs.writeFile(path.join(workspace, 'site', 'index.html'), 'deployed v2\n');
    const sha = 'c0ffee' + '0'.repeat(34);
    const runner = {
      GITHUB_SHA: sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_WORKFLOW: 'deploy',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '2',
    };
    const backup = await runAction({ repository: repo, password: PASSWORD, source: 'site', tags: 'post-deploy' }, workspace, undefined, runner);
    expect(backup.code, backup.stdout).toBe(0);
    const id = backup.outputs['snapshot-id']!;
    // restic finds it by the commit alone, and sees the ref tag too.
    const byCommit = JSON.parse(await restic(['snapshots', '--json', '--tag', `commit:${sha}`], opts())) as SnapshotJson[];
    expect(byCommit.map((s) => s.id)).toEqual([id]);
    expect(byCommit[0]!.tags).toEqual(['post-deploy', `commit:${sha}`, 'ref:refs/heads/main']);
    const mine = (await oursJson([id])) as SnapshotJson[];
    expect(mine[0]!.description).toBe(`GitHub Actions run https://github.com/octo-org/app/actions/runs/4242/attempts/2 (workflow deploy, refs/heads/main at ${sha})`);
    // A rollback: the action restores the snapshot of that commit.
    await fs.writeFile(path.join(workspace, 'site', 'index.html'), 'broken v3\n');
    const restore = await runAction({ repository: repo, password: PASSWORD, mode: 'restore', tags: `commit:${sha}`, target: 'rollback' }, workspace);
    expect(restore.code, restore.stdout).toBe(0);
    expect(await fs.readFile(path.join(workspace, 'rollback', workspace, 'site', 'index.html'), 'utf8')).toBe('deployed v2\n');
    // provenance: false records none of it; `parent` names the parent by prefix.
    const plain = await runAction({ repository: repo, password: PASSWORD, source: 'site', provenance: 'false', parent: id.slice(0, 8) }, workspace, undefined, runner);
    expect(plain.code, plain.stdout).toBe(0);
    expect(plain.outputs['parent-id']).toBe(id);
    const badParent = await runAction({ repository: repo, password: PASSWORD, source: 'site', parent: 'HEAD~1' }, workspace);
    expect(badParent.code).not.toBe(0);
    expect(badParent.stdout).toContain("input 'parent': 'HEAD~1' is not a snapshot id: use 'latest', a full id or a unique prefix of one");
    const plainJson = (await oursJson([plain.outputs['snapshot-id']!])) as SnapshotJson[];
    expect(plainJson[0]!.tags).toBeUndefined();
    expect(plainJson[0]!.description).toBeUndefined();

    // snapshots mode: the named ones and --latest, as restic lists them, with the table in the log.
    const list = await runAction({ repository: repo, password: PASSWORD, mode: 'snapshots', 'snapshot-ids': `${id.slice(0, 8)} latest`, host: 'web' }, workspace);
    expect(list.code, list.stdout).toBe(0);
    const theirs = await resticJson(['--host', 'web', id.slice(0, 8), 'latest']);
    expect(withoutExtras(JSON.parse(list.outputs.snapshots!) as SnapshotJson[])).toEqual(theirs);
    expect(list.stdout).toMatch(new RegExp(`${id.slice(0, 8)}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+octo-org/app`));
    const latest = await runAction({ repository: repo, password: PASSWORD, mode: 'snapshots', latest: '1' }, workspace);
    expect(withoutExtras(JSON.parse(latest.outputs.snapshots!) as SnapshotJson[])).toEqual(await resticJson(['--latest', '1']));

    // forget mode by id.
    const forget = await runAction({ repository: repo, password: PASSWORD, mode: 'forget', 'snapshot-ids': plain.outputs['snapshot-id']! }, workspace);
    expect(forget.code, forget.stdout).toBe(0);
    expect(JSON.parse(forget.outputs['removed-snapshots']!)).toEqual([plain.outputs['snapshot-id']]);
    expect(await resticIds()).not.toContain(plain.outputs['snapshot-id']);
    await restic(['check', '--read-data'], opts());
  }, 180_000);
});

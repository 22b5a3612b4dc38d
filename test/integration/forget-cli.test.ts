/**
 * `chunkvault forget` end to end on a repository restic wrote: its --json output equals
 * `restic forget --dry-run --json` byte for byte (groups in the same order), and a real
 * forget leaves exactly the snapshots restic would have left. The decision engine itself
 * is compared with restic on hundreds of snapshots in forget-golden.test.ts.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'forget cli';

describe('chunkvault forget on a restic repository', () => {
  let dir: string;
  let repo: string;
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir });
  const env = { CHUNKVAULT_PASSWORD: PASSWORD, TZ: 'UTC' };

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-forget-cli-');
    repo = path.join(dir, 'repo');
    await initCheapRepository(repo, PASSWORD);
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    const times = ['2025-12-30 23:59:59', '2025-12-31 10:00:00', '2026-01-01 00:00:00', '2026-01-05 08:00:00', '2026-02-01 12:00:00', '2026-02-01 12:00:01', '2026-03-15 06:30:00'];
    for (const [i, t] of times.entries()) {
      await fs.writeFile(path.join(src, 'f.txt'), `version ${i}\n`);
      await restic(['backup', '--host', i % 3 === 0 ? 'db' : 'web', '--tag', i === 1 ? 'release' : 'nightly', '--time', t, src], opts());
    }
  }, 120_000);
  afterAll(() => removeDir(dir));

  for (const policy of [
    ['--keep-last', '1', '--keep-monthly', '2'],
    ['--keep-daily', '2', '--keep-tag', 'release', '--group-by', 'host'],
    ['--keep-within', '1m', '--group-by', ''],
  ]) {
    it(`prints what restic prints for ${policy.join(' ')}`, async () => {
      const ours = await runCli(['-r', repo, '--json', 'forget', '--dry-run', ...policy], env, dir);
      expect(ours.code, ours.stderr).toBe(0);
      const theirs = await restic(['forget', '--dry-run', '--json', ...policy], opts());
      const sortGroups = (groups: { host: string; paths: string[] | null; tags: string[] | null }[]) =>
        [...groups].sort((a, b) => JSON.stringify([a.host, a.paths, a.tags]).localeCompare(JSON.stringify([b.host, b.paths, b.tags])));
      expect(sortGroups(JSON.parse(ours.stdout))).toEqual(sortGroups(JSON.parse(theirs)));
    });
  }

  it('removes exactly what restic would remove', async () => {
    const plan = JSON.parse(await restic(['forget', '--dry-run', '--json', '--keep-last', '1', '--keep-monthly', '2'], opts())) as { keep: { id: string }[] | null }[];
    const expectedKept = plan.flatMap((g) => (g.keep ?? []).map((s) => s.id)).sort();
    const r = await runCli(['-r', repo, 'forget', '--keep-last', '1', '--keep-monthly', '2'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/keep \(last snapshot, monthly snapshot\)/);
    const left = (JSON.parse(await restic(['snapshots', '--json'], opts())) as { id: string }[]).map((s) => s.id).sort();
    expect(left).toEqual(expectedKept);
    await restic(['check'], opts());
  }, 60_000);

  it('refuses an empty policy; ids take the place of one (see snapshots-restic.test.ts)', async () => {
    const empty = await runCli(['-r', repo, 'forget'], env, dir);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('the retention policy is empty');
    // As restic 0.14: an id that names no snapshot is skipped with a warning.
    const ids = await runCli(['-r', repo, 'forget', 'abcd1234'], env, dir);
    expect(ids.code, ids.stderr).toBe(0);
    expect(ids.stderr).toContain("ignoring 'abcd1234'");
  });
});

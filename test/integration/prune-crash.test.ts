/**
 * Crash safety of prune: the process is killed with SIGKILL (no cleanup, as in a power cut
 * or an OOM kill) right after each kind of change it makes — the plan, deleting an
 * unreferenced pack, writing a repacked pack, its index, each file of the new index,
 * deleting old index files, deleting packs — and at random moments. Every time, restic
 * 0.14's `check --read-data` passes (after `restic unlock`, which 0.14 needs for any lock
 * left behind), every remaining snapshot restores byte for byte, and a second prune
 * finishes the job, leaving nothing for a third.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_PASSWORD, makeHistory, resticCheck, verifySnapshotsRestore, type HistoryFixture } from '../helpers/prune-fixture.ts';
import { assertResticInstalled, restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const ENV = { CHUNKVAULT_PASSWORD: FIXTURE_PASSWORD, TZ: 'UTC' };

interface PruneJson {
  packs_deleted: number;
  packs_repacked: number;
  index_files_written: number;
  plan: { remove: string[]; repack: string[]; remove_unreferenced: string[] };
}

describe('prune killed with SIGKILL at every step', () => {
  let dir: string;
  let fixture: HistoryFixture;
  let plan: PruneJson['plan'];
  let indexFiles: number;

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-prune-crash-');
    fixture = await makeHistory(path.join(dir, 'fixture'), 'chunkvault');
    const first = [...fixture.expected.keys()][0]!;
    await restic(['forget', first], { repo: fixture.repo, password: FIXTURE_PASSWORD, cacheDir: dir });
    // Two packs no index names, as a writer killed before its index leaves them.
    for (let i = 0; i < 2; i++) {
      const bytes = randomBytes(70_000 + i);
      const id = createHash('sha256').update(bytes).digest('hex');
      await fs.writeFile(path.join(fixture.repo, 'data', id.slice(0, 2), id), bytes);
    }
    indexFiles = (await fs.readdir(path.join(fixture.repo, 'index'))).length;
    const dry = await runCli(['-r', fixture.repo, '--json', 'prune', '--dry-run'], ENV, dir);
    expect(dry.code, dry.stderr).toBe(0);
    plan = (JSON.parse(dry.stdout) as PruneJson).plan;
    // The scenario exercises every step: unreferenced, unused and partly used packs.
    expect(plan.remove_unreferenced.length).toBe(2);
    expect(plan.remove.length).toBeGreaterThan(0);
    expect(plan.repack.length).toBeGreaterThan(0);
  }, 240_000);
  afterAll(() => removeDir(dir));

  /** Kill points: a step and which occurrence of it. */
  const points = (): [string, number][] => {
    const doomed = plan.remove.length + plan.repack.length;
    const oldIndexes = indexFiles + 1; // plus the repacked packs' own index file
    return [
      ['planned', 1],
      ['unreferenced-deleted', 1],
      ['unreferenced-deleted', 2],
      ['pack-written', 1],
      ['repack-index-written', 1],
      ['index-written', 1],
      ['index-deleted', 1],
      ['index-deleted', oldIndexes],
      ['pack-deleted', 1],
      ['pack-deleted', Math.ceil(doomed / 2)],
      ['pack-deleted', doomed],
    ];
  };

  it('survives a kill after each step, and a second prune completes the job', async () => {
    const seen: string[] = [];
    for (const [step, n] of points()) {
      const work = await makeTempDir('cv-crash-point-');
      try {
        const repo = path.join(work, 'repo');
        await fs.cp(fixture.repo, repo, { recursive: true });
        const killed = await runCli(['-r', repo, 'prune'], { ...ENV, CHUNKVAULT_FAILPOINT: `prune:${step}:${n}` }, work);
        expect(killed.signal, `${step}#${n}: ${killed.stderr}`).toBe('SIGKILL');
        await assertIntactAfterCrash(repo, work, `${step}#${n}`);
        seen.push(`${step}#${n}`);
      } finally {
        await removeDir(work);
      }
    }
    expect(seen).toHaveLength(points().length);
  }, 600_000);

  it('survives kills at random moments', async () => {
    for (const delayMs of [300, 600, 900]) {
      const work = await makeTempDir('cv-crash-random-');
      try {
        const repo = path.join(work, 'repo');
        await fs.cp(fixture.repo, repo, { recursive: true });
        await runCli(['-r', repo, 'prune'], ENV, work, { killAfterMs: delayMs });
        await assertIntactAfterCrash(repo, work, `after ${delayMs} ms`);
      } finally {
        await removeDir(work);
      }
    }
  }, 300_000);

  async function assertIntactAfterCrash(repo: string, work: string, where: string): Promise<void> {
    const tool = { repo, cacheDir: work };
    // restic 0.14 refuses to check while any lock exists, stale or not.
    await restic(['unlock'], { repo, password: FIXTURE_PASSWORD, cacheDir: work });
    const checked = await resticCheck(tool);
    expect(checked.code, `${where}: ${checked.output}`).toBe(0);
    expect(checked.output, where).toContain('no errors were found');
    expect(await verifySnapshotsRestore(fixture, work, tool), where).toEqual([]);

    const second = await runCli(['-r', repo, '--json', 'prune'], ENV, work);
    expect(second.code, `${where}: second prune: ${second.stderr}`).toBe(0);
    const rechecked = await resticCheck(tool);
    expect(rechecked.code, `${where}: ${rechecked.output}`).toBe(0);
    // No leftovers: no pack outside the index ("additional files"), nothing more to prune.
    expect(rechecked.output, where).not.toContain('additional files');
    const third = JSON.parse((await runCli(['-r', repo, '--json', 'prune', '--dry-run'], ENV, work)).stdout) as PruneJson;
    expect(third.plan, where).toEqual({ remove: [], repack: [], remove_unreferenced: [], forget_missing: [] });
    expect(await verifySnapshotsRestore(fixture, work, tool), where).toEqual([]);
  }
});

/**
 * Unlucky days, made tests: a proxy failing one request in ten (500, 503, resets, slow
 * answers) in front of rclone's REST server does not stop backup, restore, check, drill,
 * forget with prune, or prune; and four backups running at once beside two prunes, twice,
 * leave eight intact snapshots. restic 0.14 judges the repositories afterwards.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCheapRepository, initCheapRepositoryAt } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { startFlakyProxy, type FlakyProxy } from '../helpers/flaky-proxy.ts';
import { assertResticInstalled, runRestic } from '../helpers/restic.ts';
import { sharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'unlucky';

describe('unlucky days', () => {
  let dir: string;
  let source: string;
  const cli = (repo: string, args: string[]) => runCli(['-r', repo, ...args], { RESTIC_PASSWORD: PASSWORD, TZ: 'UTC', CHUNKVAULT_CACHE_DIR: path.join(dir, 'cache') }, dir);

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('cv-unlucky-');
    source = path.join(dir, 'src');
    await mkdir(source);
    for (let i = 0; i < 4; i++) await writeFile(path.join(source, `f${i}.bin`), pseudoRandomBytes(400_000, 30 + i));
  });
  afterAll(() => removeDir(dir));

  describe('a REST server behind a proxy that fails 10% of requests', () => {
    let proxy: FlakyProxy;
    let location: string;
    let direct: string;

    beforeAll(async () => {
      const rest = await sharedRestServer();
      const name = `flaky-${Date.now()}`;
      direct = rest.repository(name);
      await initCheapRepositoryAt(direct, PASSWORD, {});
      proxy = await startFlakyProxy(rest.url, { failureRate: 0.1, seed: 7 });
      const viaProxy = rest.repositoryUrl(name);
      viaProxy.host = new URL(proxy.url).host;
      location = `rest:${viaProxy.href}`;
    });
    afterAll(() => proxy?.close());

    it('backup, restore, check, drill, forget --prune and prune all complete; restic check passes', async () => {
      const steps: [string, string[]][] = [
        ['backup', ['backup', '--host', 'flaky', source]],
        ['second backup', ['backup', '--host', 'flaky', source]],
        ['restore', ['restore', 'latest', '--target', path.join(dir, 'restored')]],
        ['check', ['check', '--read-data']],
        ['drill', ['drill', 'latest']],
        ['forget --prune', ['forget', '--keep-last', '1', '--prune']],
        ['prune', ['prune']],
      ];
      await writeFile(path.join(source, 'changes.txt'), 'one\n');
      for (const [what, args] of steps) {
        if (what === 'second backup') await writeFile(path.join(source, 'changes.txt'), 'two\n');
        const r = await cli(location, args);
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      }
      for (let i = 0; i < 4; i++) {
        const file = `f${i}.bin`;
        expect(await readFile(path.join(dir, 'restored', source, file)), file).toEqual(await readFile(path.join(source, file)));
      }
      const checked = await runRestic(['check', '--read-data'], { repo: direct, password: PASSWORD, cacheDir: dir });
      expect(checked.code, checked.stderr).toBe(0);
      const faults = Object.values(proxy.stats.faults).reduce((a, b) => a + b, 0);
      console.log(`flaky proxy: ${faults} faults injected in ${proxy.stats.requests} requests (${JSON.stringify(proxy.stats.faults)})`);
      // The run was unlucky for real: every kind of fault happened.
      for (const [kind, count] of Object.entries(proxy.stats.faults)) expect(count, kind).toBeGreaterThan(0);
    });
  });

  it('four backups at once beside two prunes, twice: eight intact snapshots', async () => {
    const repo = path.join(dir, 'busy');
    await initCheapRepository(repo, PASSWORD);
    const sources = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const s = path.join(dir, `busy-src-${i}`);
        await mkdir(s);
        await writeFile(path.join(s, 'own.bin'), pseudoRandomBytes(250_000, 50 + i));
        await writeFile(path.join(s, 'shared.bin'), pseudoRandomBytes(250_000, 99));
        return s;
      }),
    );
    for (let round = 0; round < 2; round++) {
      for (const s of sources) await writeFile(path.join(s, 'round.txt'), `round ${round}\n`);
      const runs = [
        ...sources.map((s) => cli(repo, ['--lock-wait', '5m', 'backup', '--host', `busy-${path.basename(s)}`, s])),
        cli(repo, ['--lock-wait', '5m', 'prune']),
        cli(repo, ['--lock-wait', '5m', 'prune']),
      ];
      for (const r of await Promise.all(runs)) expect(r.code, r.stderr).toBe(0);
    }
    const snapshots = JSON.parse((await cli(repo, ['--json', 'snapshots'])).stdout) as unknown[];
    expect(snapshots).toHaveLength(8);
    const checked = await runRestic(['check', '--read-data'], { repo, password: PASSWORD, cacheDir: dir });
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('no errors were found');
  });
});

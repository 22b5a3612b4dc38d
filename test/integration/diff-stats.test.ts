/**
 * `chunkvault diff` and `chunkvault stats` against restic 0.14 on one repository whose
 * snapshots restic and chunkvault wrote in turn: files added, removed, modified, type
 * changes (file, symlink, directory), metadata changes, hard links, a fifo, names with
 * `<&>` and with invalid UTF-8. For every pair of snapshots and every stats mode, our
 * --json output must equal restic's byte for byte, and our text output restic's line for
 * line, with only these differences, each on purpose:
 *
 * - sizes in the text are written by formatBytes (chunkvault's one formatter for people,
 *   "1.5 MiB") where restic writes "1.500 MiB": the test puts formatBytes of restic's own
 *   JSON byte count in restic's line, so the figure itself is still compared exactly;
 * - restic prints "repository ... opened ..." (and "created new cache ...") on stdout; we
 *   do not print those lines, so they are dropped from restic's output;
 * - a name that is not valid UTF-8: restic prints its raw bytes in text, we print U+FFFD
 *   for each invalid byte (both decode to the same string here, since the test reads
 *   stdout as UTF-8; the JSON, where Go writes \ufffd, is compared byte for byte).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/engine/index.ts';
import { runCli } from '../helpers/cli.ts';
import { assertResticInstalled, restic, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'diff and stats';

describe('diff and stats compared with restic 0.14', () => {
  let dir: string;
  let repo: string;
  let src: string;
  /** Snapshots in the order they were written: restic, ours, restic, ours. */
  const ids: string[] = [];
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir });
  const env = () => ({ CHUNKVAULT_PASSWORD: PASSWORD, TZ: 'UTC' });
  const at = (...p: string[]) => path.join(src, ...p);

  async function newestSnapshot(): Promise<string> {
    const list = JSON.parse(await restic(['snapshots', '--json'], opts())) as { id: string; time: string }[];
    const known = new Set(ids);
    const added = list.filter((s) => !known.has(s.id));
    expect(added).toHaveLength(1);
    return added[0]!.id;
  }
  async function resticBackup(...flags: string[]): Promise<void> {
    await restic(['backup', '--host', 'box', ...flags, src], opts());
    ids.push(await newestSnapshot());
  }
  async function ourBackup(...flags: string[]): Promise<void> {
    const r = await runCli(['-r', repo, 'backup', '--host', 'box', ...flags, src], env(), dir);
    expect(r.code, r.stderr).toBe(0);
    ids.push(await newestSnapshot());
  }

  beforeAll(async () => {
    assertResticInstalled();
    dir = await makeTempDir('diff-stats');
    repo = path.join(dir, 'repo');
    src = path.join(dir, 'src');
    await initCheapRepository(repo, PASSWORD);

    // Snapshot 0 (restic): the starting tree.
    await fs.mkdir(at('dir1', 'deep'), { recursive: true });
    await fs.writeFile(at('a.txt'), 'alpha\n');
    await fs.writeFile(at('b.txt'), 'bravo\n'.repeat(1000));
    await fs.writeFile(at('dir1', 'x'), 'x\n');
    await fs.writeFile(at('dir1', 'y'), 'y'.repeat(300_000));
    await fs.writeFile(at('dir1', 'deep', 'z'), 'zulu\n');
    await fs.writeFile(at('empty'), '');
    await fs.writeFile(at('hard1'), 'linked twice\n'.repeat(50));
    await fs.link(at('hard1'), at('hard2'));
    await fs.symlink('a.txt', at('link'));
    await fs.writeFile(at('becomes-link'), 'soon a symlink\n');
    await fs.writeFile(at('becomes-dir'), 'soon a directory\n');
    await fs.mkdir(at('dir-becomes-file'));
    await fs.writeFile(at('dir-becomes-file', 'inside'), 'gone with its directory\n');
    await fs.writeFile(at('same <&> name'), 'html in a name\n');
    await fs.writeFile(Buffer.from(path.join(src, 'bad-\xff-name'), 'latin1'), 'not utf-8\n');
    await resticBackup('--tag', 'a');

    // Snapshot 1 (ours): modified, removed, added, type changes, a fifo, a new directory.
    await fs.writeFile(at('a.txt'), 'alpha, modified\n');
    await fs.rm(at('b.txt'));
    await fs.writeFile(at('c.txt'), 'charlie\n');
    await fs.rm(at('dir1', 'y'));
    await fs.mkdir(at('dir2', 'sub'), { recursive: true });
    await fs.writeFile(at('dir2', 'one'), 'one\n');
    await fs.writeFile(at('dir2', 'sub', 'two'), 'two\n'.repeat(20_000));
    await fs.rm(at('becomes-link'));
    await fs.symlink('c.txt', at('becomes-link'));
    await fs.rm(at('becomes-dir'));
    await fs.mkdir(at('becomes-dir'));
    await fs.writeFile(at('becomes-dir', 'child'), 'child\n');
    await fs.rm(at('dir-becomes-file'), { recursive: true });
    await fs.writeFile(at('dir-becomes-file'), 'now a file\n');
    execFileSync('mkfifo', [at('fifo')]);
    await ourBackup('--tag', 'a');

    // Snapshot 2 (restic): more changes, a removed directory tree, metadata-only changes.
    await fs.rm(at('dir2'), { recursive: true });
    await fs.rm(at('link'));
    await fs.writeFile(at('link'), 'a file where a symlink was\n');
    await fs.chmod(at('c.txt'), 0o600);
    await fs.utimes(at('dir1', 'x'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    await resticBackup();

    // Snapshot 3 (ours): one metadata change, and a new file with the contents of one in a
    // directory both snapshots share: restic counts its blob as common, not as added.
    await fs.chmod(at('empty'), 0o640);
    await fs.writeFile(at('copy-of-z'), 'zulu\n');
    await ourBackup();
  }, 300_000);
  afterAll(() => removeDir(dir));

  /** restic's stdout without the lines only restic prints. */
  const resticOnly = (text: string) =>
    text
      .split('\n')
      .filter((l) => !/^repository [0-9a-f]+ opened/.test(l) && !l.startsWith('created new cache in '))
      .join('\n');

  const pairs: [number, number][] = [
    [0, 1],
    [1, 2],
    [2, 3],
    [0, 3],
    [3, 0],
  ];

  it.each(pairs)('diff %i %i: --json, text and --metadata equal restic', async (i, j) => {
    // One full id and one prefix: the statistics name the references as given.
    const args = [ids[i]!, ids[j]!.slice(0, 8)];
    for (const flags of [[], ['--metadata']]) {
      const theirsJson = await restic(['diff', '--json', ...flags, ...args], opts());
      const oursJson = await runCli(['-r', repo, '--json', 'diff', ...flags, ...args], env(), dir);
      expect(oursJson.code, oursJson.stderr).toBe(0);
      expect(oursJson.stdout).toBe(resticOnly(theirsJson));

      const stats = JSON.parse(theirsJson.trim().split('\n').at(-1)!) as { added: { bytes: number }; removed: { bytes: number } };
      const theirsText = resticOnly(await restic(['diff', ...flags, ...args], opts()))
        .replace(/^( {2}Added: {3}).*$/m, (_, head: string) => head + formatBytes(stats.added.bytes).padEnd(5))
        .replace(/^( {2}Removed: ).*$/m, (_, head: string) => head + formatBytes(stats.removed.bytes).padEnd(5));
      const oursText = await runCli(['-r', repo, 'diff', ...flags, ...args], env(), dir);
      expect(oursText.code, oursText.stderr).toBe(0);
      expect(oursText.stdout).toBe(theirsText);
    }
  });

  it('lists every kind of change the scenario makes', async () => {
    // The comparison above is only as good as the scenario: make sure it has each modifier.
    const modifiers = new Set<string>();
    for (const [i, j] of pairs) {
      // With --metadata a type change is "TU" (the nodes differ), without it "T".
      for (const flags of [[], ['--metadata']]) {
        const r = await runCli(['-r', repo, '--json', 'diff', ...flags, ids[i]!, ids[j]!], env(), dir);
        for (const line of r.stdout.trim().split('\n')) {
          const m = JSON.parse(line) as { message_type: string; modifier?: string };
          if (m.message_type === 'change') modifiers.add(m.modifier!);
        }
      }
    }
    expect([...modifiers].sort()).toEqual(expect.arrayContaining(['+', '-', 'M', 'T', 'U', 'TU']));
  });

  it('diff -q prints only the statistics, as restic -q does', async () => {
    const args = [ids[0]!, ids[2]!];
    const theirs = await restic(['-q', 'diff', ...args], opts());
    const stats = JSON.parse((await restic(['diff', '--json', ...args], opts())).trim().split('\n').at(-1)!) as { added: { bytes: number }; removed: { bytes: number } };
    const expected = theirs
      .replace(/^( {2}Added: {3}).*$/m, (_, head: string) => head + formatBytes(stats.added.bytes).padEnd(5))
      .replace(/^( {2}Removed: ).*$/m, (_, head: string) => head + formatBytes(stats.removed.bytes).padEnd(5));
    const ours = await runCli(['-r', repo, '-q', 'diff', ...args], env(), dir);
    expect(ours.stdout).toBe(expected);
  });

  const selections: string[][] = [[], ['latest'], ['--tag', 'a'], ['--tag', 'a', 'latest'], ['ID0', 'ID1', 'ID0'], ['ID2'], ['ID3']];
  const modes = ['restore-size', 'files-by-contents', 'blobs-per-file', 'raw-data'];

  it.each(modes)('stats --mode %s: --json and text equal restic for each choice of snapshots', async (mode) => {
    for (const selection of selections) {
      const args = ['--mode', mode, ...selection.map((s) => (s.startsWith('ID') ? ids[Number(s.slice(2))]!.slice(0, 10) : s))];
      const theirsJson = resticOnly(await restic(['stats', '--json', ...args], opts()));
      const oursJson = await runCli(['-r', repo, '--json', 'stats', ...args], env(), dir);
      expect(oursJson.code, oursJson.stderr).toBe(0);
      expect(oursJson.stdout, `stats ${args.join(' ')}`).toBe(theirsJson);

      const total = (JSON.parse(theirsJson) as { total_size: number }).total_size;
      const theirsText = resticOnly(await restic(['stats', ...args], opts())).replace(/^( {9}Total Size: {3}).*$/m, (_, head: string) => head + formatBytes(total).padEnd(5));
      const oursText = await runCli(['-r', repo, 'stats', ...args], env(), dir);
      expect(oursText.code, oursText.stderr).toBe(0);
      expect(oursText.stdout, `stats ${args.join(' ')}`).toBe(theirsText);
    }
  });

  it('counts hard links once and every directory and link as a file in restore-size, as restic does', async () => {
    // A figure checked by hand, so that a bug shared with restic's reading would still show.
    const r = await runCli(['-r', repo, '--json', 'stats', ids[0]!], env(), dir);
    const s = JSON.parse(r.stdout) as { total_size: number; total_file_count: number };
    // a.txt, b.txt, dir1/x, dir1/y, dir1/deep/z, hard1 (hard2 is the same inode), becomes-link,
    // becomes-dir, dir-becomes-file/inside, 'same <&> name', the invalid UTF-8 one; nothing else has a size.
    const sizes = [6, 6000, 2, 300_000, 5, 650, 15, 17, 24, 15, 10];
    expect(s.total_size).toBe(sizes.reduce((a, b) => a + b, 0));
    // 14 files and links, 3 directories below the source, and the directories from / down to it.
    const depth = src.split('/').filter(Boolean).length;
    expect(s.total_file_count).toBe(14 + 3 + depth);
  });

  it('refuses a wrong number of snapshots and an unknown mode with a one-line error', async () => {
    const one = await runCli(['-r', repo, 'diff', ids[0]!], env(), dir);
    expect(one.code).toBe(1);
    expect(one.stderr.trim()).toMatch(/^chunkvault diff: diff compares two snapshots/);
    const mode = await runCli(['-r', repo, 'stats', '--mode', 'sizes'], env(), dir);
    expect(mode.code).toBe(1);
    expect(mode.stderr.trim()).toBe("chunkvault stats: --mode must be one of restore-size, files-by-contents, blobs-per-file, raw-data; got 'sizes'");
    const unknown = await runCli(['-r', repo, 'diff', ids[0]!, 'ffffffff'], env(), dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("accepts 'latest' in diff, which restic 0.14 does not", async () => {
    const theirs = await runRestic(['diff', ids[0]!, 'latest'], opts());
    expect(theirs.code).not.toBe(0);
    const ours = await runCli(['-r', repo, '--json', 'diff', ids[0]!, 'latest'], env(), dir);
    expect(ours.code, ours.stderr).toBe(0);
    const byId = await runCli(['-r', repo, '--json', 'diff', ids[0]!, ids[3]!], env(), dir);
    expect(ours.stdout.replace('"target_snapshot":"latest"', `"target_snapshot":"${ids[3]}"`)).toBe(byId.stdout);
  });
});

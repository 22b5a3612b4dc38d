/**
 * Exclude patterns with restic's meaning, judged by restic 0.14 itself: the same tree is
 * backed up by both tools with the same flags, and `restic ls --json` of the two
 * snapshots must list the same paths.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { restic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'exclude-golden';

const FILES = [
  'a/b/f1.txt',
  'a/c.txt',
  'x/a/b/f2.txt',
  'x/deep/y/deep.txt',
  'x/deep.txt',
  'node_modules/m.js',
  'src/node_modules/n.js',
  'app.log',
  'keep.log',
  'src/s.log',
  'src/keep.log',
  'README.md',
  'docs/ReadMe.txt',
  'docs/guide.MD',
  'file1.txt',
  'file5.txt',
  'cache/c1',
  'y/cache/c2',
  'y/cache/sub/c3',
  'build/out.o',
  'src/build/o2',
  'sub1/z',
  'subx/z',
  'caf\u00e9/menu.txt',
  'big/large.bin',
  'tmp/.nobackup',
  'tmp/t1',
  'marked/MARKER',
  'marked/m1',
  'wrongmark/MARKER',
  'wrongmark/w1',
];

/** Files with content of their own (the others hold their path). */
const CONTENT: Record<string, string> = {
  'big/large.bin': 'x'.repeat(4096),
  'marked/MARKER': 'KEEP-OUT and more',
  'wrongmark/MARKER': 'something else',
  'y/cache/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n',
  'cache/CACHEDIR.TAG': 'Signature: not the right one',
};

describe('exclude patterns, compared with restic 0.14 on the same tree', () => {
  let dir: string;
  let repo: string;
  let tree: string;
  let excludeFile: string;
  let whole: number;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD, EXCLUDED_EXT: 'md' });
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir, env: { EXCLUDED_EXT: 'md' } });

  beforeAll(async () => {
    dir = await makeTempDir('exclude-golden');
    repo = path.join(dir, 'repo');
    tree = path.join(dir, 'tree');
    for (const f of [...FILES, ...Object.keys(CONTENT)]) {
      await mkdir(path.dirname(path.join(tree, f)), { recursive: true });
      await writeFile(path.join(tree, f), CONTENT[f] ?? f);
    }
    excludeFile = path.join(dir, 'excludes.txt');
    await writeFile(excludeFile, '# build outputs\n\n  build  \n*.$EXCLUDED_EXT\n${EXCLUDED_EXT}-notes\n');
    await initCheapRepository(repo, PASSWORD);
    await restic(['backup', '--host', 'whole', tree], opts());
    whole = (await listed('whole')).length;
  });
  afterAll(() => removeDir(dir));

  /** Paths of a snapshot as restic lists them, relative to the tree. */
  async function listed(host: string): Promise<string[]> {
    const lines = (await restic(['ls', '--json', '--host', host, 'latest'], opts())).trim().split('\n');
    return lines
      .map((l) => JSON.parse(l) as { struct_type: string; path?: string })
      .filter((n) => n.struct_type === 'node' && n.path!.startsWith(`${tree}/`))
      .map((n) => n.path!.slice(tree.length + 1))
      .sort();
  }

  const cases: [string, () => string[]][] = [
    ['a name at any depth', () => ['--exclude', 'node_modules']],
    ['a glob on names', () => ['--exclude', '*.log']],
    ['a relative path matches at any depth', () => ['--exclude', 'a/b']],
    ['a trailing slash and ./ are cleaned', () => ['--exclude', './a/b/']],
    ['an absolute path is anchored', () => ['--exclude', `${tree}/x/a`]],
    ['** inside a pattern', () => ['--exclude', 'x/**/deep.txt']],
    ['**/name/*', () => ['--exclude', '**/cache/*']],
    ['a trailing **', () => ['--exclude', 'build/**']],
    ['a negation takes back', () => ['--exclude', '*.log', '--exclude', '!keep.log']],
    ['a character class', () => ['--exclude', 'file[0-4].txt']],
    ['a negated character class', () => ['--exclude', 'file[^0-4].txt']],
    ['? for one character', () => ['--exclude', 'sub?']],
    ['non-ASCII names', () => ['--exclude', 'caf\u00e9']],
    ['--iexclude ignores case', () => ['--iexclude', 'readme*', '--iexclude', '*.md']],
    ['--exclude-file: comments, blank lines, spaces, $VARS', () => ['--exclude-file', excludeFile]],
    ['--iexclude-file', () => ['--iexclude-file', excludeFile]],
    ['--exclude-caches (a wrong signature does not count)', () => ['--exclude-caches']],
    ['--exclude-if-present NAME', () => ['--exclude-if-present', '.nobackup']],
    ['--exclude-if-present NAME:HEADER', () => ['--exclude-if-present', 'MARKER:KEEP-OUT']],
    ['--exclude-larger-than', () => ['--exclude-larger-than', '1k']],
    ['a pattern that matches nothing', () => ['--exclude', '/nonexistent/**']],
    ['--one-file-system on one file system', () => ['--one-file-system']],
  ];

  it.each(cases.map(([name, flags], i) => [name, flags, i] as const))('%s', async (_name, flags, i) => {
    const args = flags();
    await restic(['backup', '--host', `restic-${i}`, ...args, tree], opts());
    const ours = await runCli(['-q', 'backup', '--host', `ours-${i}`, ...args, tree], env());
    // Only the warnings restic gives too (a tag file without the expected header).
    expect(ours.stderr.split('\n').filter((l) => l && !l.startsWith('warning: exclusion tag file '))).toEqual([]);
    expect(ours.code).toBe(0);
    const theirs = await listed(`restic-${i}`);
    // Every case but the last two leaves something out in restic's own listing, so it tests a match.
    if (i < cases.length - 2) expect(theirs.length).toBeLessThan(whole);
    else expect(theirs.length).toBe(whole);
    expect(await listed(`ours-${i}`)).toEqual(theirs);
  });

  it('refuses a malformed pattern as restic does, naming the flag, and writes nothing', async () => {
    const theirs = await runResticFails(['backup', '--exclude', '[', tree]);
    expect(theirs).toContain('invalid pattern');
    const ours = await runCli(['backup', '--exclude', '[', tree], env());
    expect(ours.code).toBe(1);
    expect(ours.stderr.split('\n')[0]).toBe('chunkvault backup: --exclude: invalid pattern "[" (a "[" is not closed)');
    const file = path.join(dir, 'bad-excludes.txt');
    await writeFile(file, 'ok\nfile[0-\n');
    const fromFile = await runCli(['backup', '--exclude-file', file, tree], env());
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain('--exclude-file: invalid pattern "file[0-"');
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], opts())) as { hostname: string }[];
    expect(snapshots.filter((s) => !/^(restic|ours)-\d+$|^whole$/.test(s.hostname))).toEqual([]);
  });

  async function runResticFails(args: string[]): Promise<string> {
    const { runRestic } = await import('../helpers/restic.ts');
    const r = await runRestic(args, opts());
    expect(r.code).not.toBe(0);
    return r.stderr;
  }
});

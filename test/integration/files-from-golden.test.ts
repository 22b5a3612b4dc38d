/**
 * `backup --files-from`, `--files-from-verbatim` and `--files-from-raw` with restic's
 * meaning, judged by restic 0.14 itself: the same lists are backed up by both tools from
 * the same working directory, and the two snapshots must have the same `paths` and the
 * same nodes (`restic ls --json`). No list names a path twice: restic keeps a repeated
 * target twice in the snapshot's `paths`, where we, as for path arguments, keep it once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { restic, runRestic } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'files-from-golden';

/** Names that test the readers: leading space, '#', a literal '*', a newline, brackets, non-ASCII, a dot file. */
const FILES = [
  'a/f1.txt',
  'a/f2.log',
  'b/f3.txt',
  'b/sub/f4.txt',
  'b/sub/f9.txt',
  '.hidden.txt',
  'file1.txt',
  'file5.txt',
  ' spaced.txt',
  '#hash.txt',
  'star*.txt',
  'new\nline.txt',
  'caf\u00e9.txt',
  'x/[bracket].txt',
  'x/other.txt',
];

describe('--files-from lists, compared with restic 0.14', () => {
  let dir: string;
  let repo: string;
  let tree: string;
  const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  const opts = () => ({ repo, password: PASSWORD, cacheDir: dir, cwd: dir });
  const list = async (name: string, content: string | Buffer) => {
    await writeFile(path.join(dir, name), content);
    return name;
  };

  beforeAll(async () => {
    dir = await makeTempDir('files-from-golden');
    repo = path.join(dir, 'repo');
    tree = path.join(dir, 'tree');
    for (const f of FILES) {
      await mkdir(path.dirname(path.join(tree, f)), { recursive: true });
      await writeFile(path.join(tree, f), f);
    }
    await initCheapRepository(repo, PASSWORD);
  });
  afterAll(() => removeDir(dir));

  /**
   * The snapshot's paths and every node restic lists in it, as seen from the working
   * directory: restic 0.14 roots the tree of a relative target at that target
   * (`tree/a` is `/tree/a`), where we, as for path arguments, keep the absolute path
   * (its `paths` are absolute in both). So node paths below the working directory are
   * compared relative to it, and its ancestors are left out.
   */
  async function contents(host: string): Promise<{ paths: string[]; nodes: string[] }> {
    // The first line is the snapshot, then one line per node.
    const [snapshot, ...rest] = (await restic(['ls', '--json', '--host', host, 'latest'], opts())).trim().split('\n').map((l) => JSON.parse(l) as { struct_type: string; path?: string; paths?: string[] });
    expect(snapshot!.struct_type).toBe('snapshot');
    const nodes = rest
      .filter((n) => n.struct_type === 'node')
      .map((n) => n.path!)
      .filter((p) => !`${dir}/`.startsWith(`${p}/`))
      .map((p) => (p.startsWith(`${dir}/`) ? p.slice(dir.length) : p));
    return { paths: [...snapshot!.paths!].sort(), nodes: nodes.sort() };
  }

  const cases: [string, () => Promise<string[]>, string[]][] = [
    [
      'globs: comments, blank and space-padded lines, CRLF, dot files, escapes, one matching nothing',
      async () => [
        '--files-from',
        await list('globs.txt', `# the text files\n\t\n  tree/*.txt  \ntree/a/*\r\ntree/*/sub/f?.txt\ntree/x/\\[bracket\\].txt\ntree/nothing-*\n#tree/b\n`),
      ],
      ['pattern "tree/nothing-*" does not match any files, skipping'],
    ],
    [
      'absolute globs with a class; lists with a UTF-8 and a UTF-16 byte order mark, CRLF, no newline at the end',
      async () => [
        '--files-from',
        await list('bom8.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${tree}/file[0-4].txt\n${tree}/b/*.txt`)])),
        '--files-from',
        await list('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${tree}/b/sub\r\n${tree}/x/*\r\n`, 'utf16le')])),
      ],
      [],
    ],
    [
      'verbatim (spaces, # and * kept, empty lines skipped, a missing path skipped) and raw (NUL-terminated, a newline in a name)',
      async () => [
        '--files-from-verbatim',
        await list('verbatim.txt', 'tree/ spaced.txt\ntree/#hash.txt\ntree/star*.txt\n\ntree/missing.txt\ntree/a\n'),
        '--files-from-raw',
        await list('raw.bin', 'tree/new\nline.txt\0tree/b/sub\0'),
      ],
      ['tree/missing.txt does not exist, skipping'],
    ],
    [
      'several lists of each kind together with a path argument',
      async () => [
        '--files-from',
        await list('one.txt', 'tree/a/*.log\n'),
        '--files-from',
        await list('two.txt', 'tree/x/o*\n'),
        '--files-from-verbatim',
        await list('three.txt', 'tree/b/f3.txt\n'),
        '--files-from-raw',
        await list('four.bin', 'tree/.hidden.txt\0'),
        'tree/b/sub',
      ],
      [],
    ],
  ];

  it.each(cases.map(([name, flags, warnings], i) => [name, flags, warnings, i] as const))('%s', async (_name, flags, warnings, i) => {
    const args = await flags();
    // Side by side: both take shared locks.
    const [, ours] = await Promise.all([restic(['backup', '--host', `restic-${i}`, ...args], opts()), runCli(['-q', 'backup', '--host', `ours-${i}`, ...args], env(), dir)]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stderr.split('\n').filter(Boolean)).toEqual(warnings.map((w) => `warning: ${w}`));
    const [theirs, mine] = await Promise.all([contents(`restic-${i}`), contents(`ours-${i}`)]);
    expect(theirs.nodes.length).toBeGreaterThan(0);
    expect(mine).toEqual(theirs);
  });

  it('refuses what restic refuses, naming the flag: a malformed glob, a raw list without its last NUL', async () => {
    const glob = await list('bad-glob.txt', 'tree/a/*\ntree/[\n');
    expect((await runRestic(['backup', '--files-from', glob], opts())).code).not.toBe(0);
    const ours = await runCli(['backup', '--files-from', glob], env(), dir);
    expect(ours.code).toBe(1);
    expect(ours.stderr.trim()).toBe('chunkvault backup: invalid --files-from pattern: "tree/[" (a "[" is not closed)');

    const raw = await list('bad-raw.bin', 'tree/a\0tree/b');
    const theirs = await runRestic(['backup', '--files-from-raw', raw], opts());
    expect(theirs.stderr).toContain('trailing zero byte missing');
    const oursRaw = await runCli(['backup', '--files-from-raw', raw], env(), dir);
    expect(oursRaw.code).toBe(1);
    expect(oursRaw.stderr).toContain('--files-from-raw bad-raw.bin: the last name has no terminating NUL byte');

    const stdin = await runCli(['backup', '--stdin', '--files-from', glob], env(), dir);
    expect(stdin.code).toBe(1);
    expect(stdin.stderr).toContain('--stdin and --files-from cannot be used together');
  });
});

/**
 * User mistakes, each made through both shells: the action (inputs in INPUT_* variables)
 * and the CLI (flags and environment). Every row checks the first error line (it names
 * the input or flag to change, and the value given), the exit code, that no stack trace
 * reaches the output, and that the repository is left as it was.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { backup, Repository } from '../../src/engine/index.ts';
import { ExitCode } from '../../src/cli/exit-codes.ts';
import { runAction } from '../helpers/action.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'mistakes-secret';

/** Paths the rows refer to, known once the temporary directory exists. */
interface Places {
  dir: string;
  repo: string;
  data: string;
  emptyFile: string;
  fullDir: string;
  aFile: string;
  /** Two snapshot ids that share their first hex digit, and that digit. */
  sharedPrefix: string;
}

interface ActionMistake {
  /** Inputs on top of `repository` and `password` (an input set to undefined is left out). */
  inputs: Record<string, string | undefined>;
  /** The `::error::` line's message, exactly or as a pattern. */
  error: string | RegExp;
}

interface CliMistake {
  args: string[];
  /** Environment on top of RESTIC_REPOSITORY and RESTIC_PASSWORD (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** The first line on stderr, exactly or as a pattern. */
  error: string | RegExp;
  /** @default ExitCode.Fatal */
  code?: number;
}

interface Mistake {
  name: string;
  action: ActionMistake;
  cli: CliMistake;
}

const FORM_Y_M_D_H = 'use a number and a unit y, m, d or h, such as 30d or 1y6m';

/**
 * Node keeps the compiled sources here between the runs: every run loads the same modules,
 * and compiling them again would cost most of a run's time.
 */
const COMPILE_CACHE = { NODE_COMPILE_CACHE: path.join(tmpdir(), 'chunkvault-test-compile-cache') };

function mistakes(p: Places): Mistake[] {
  return [
    {
      name: 'a wrong password',
      action: { inputs: { mode: 'snapshots', password: 'not-the-password' }, error: 'TODO' },
      cli: { args: ['snapshots'], env: { RESTIC_PASSWORD: 'not-the-password' }, error: 'TODO', code: ExitCode.WrongPassword },
    },
    {
      name: 'an empty password (an unset secret; an empty password file)',
      action: { inputs: { mode: 'snapshots', password: '' }, error: 'TODO' },
      cli: { args: ['snapshots', '--password-file', p.emptyFile], env: { RESTIC_PASSWORD: undefined }, error: 'TODO' },
    },
    {
      name: 'no password at all',
      action: { inputs: { mode: 'check', password: undefined }, error: 'TODO' },
      cli: { args: ['check'], env: { RESTIC_PASSWORD: undefined }, error: 'TODO' },
    },
    {
      name: 'a repository path with a typo, without init',
      action: { inputs: { mode: 'backup', source: p.data, repository: `${p.repo}-typo`, init: 'false' }, error: 'TODO' },
      cli: { args: ['backup', p.data], env: { RESTIC_REPOSITORY: `${p.repo}-typo` }, error: 'TODO', code: ExitCode.RepositoryNotFound },
    },
    {
      name: 'no repository given',
      action: { inputs: { mode: 'snapshots', repository: undefined }, error: 'TODO' },
      cli: { args: ['snapshots'], env: { RESTIC_REPOSITORY: undefined }, error: 'TODO' },
    },
    {
      name: 'a mode or command that does not exist',
      action: { inputs: { mode: 'bakcup' }, error: 'TODO' },
      cli: { args: ['bakcup', p.data], error: 'TODO' },
    },
    {
      name: 'an unknown compression',
      action: { inputs: { mode: 'backup', source: p.data, compression: 'fast' }, error: 'TODO' },
      cli: { args: ['backup', '--compression', 'fast', p.data], error: 'TODO' },
    },
    {
      name: 'a negative keep-last',
      action: { inputs: { mode: 'forget', 'keep-last': '-3' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-last', '-3'], error: 'TODO' },
    },
    {
      name: 'keep-daily 0 as the only rule',
      action: { inputs: { mode: 'forget', 'keep-daily': '0' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-daily', '0'], error: 'TODO' },
    },
    {
      name: 'keep-weekly in words',
      action: { inputs: { mode: 'forget', 'keep-weekly': 'four' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-weekly', 'four'], error: 'TODO' },
    },
    {
      name: 'keep-within 30days',
      action: { inputs: { mode: 'forget', 'keep-within': '30days' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-within', '30days'], error: 'TODO' },
    },
    {
      name: 'keep-within in weeks',
      action: { inputs: { mode: 'forget', 'keep-within': '2w' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-within', '2w'], error: 'TODO' },
    },
    {
      name: 'keep-within without a unit',
      action: { inputs: { mode: 'forget', 'keep-within': '30' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-within', '30'], error: 'TODO' },
    },
    {
      name: 'an empty forget policy',
      action: { inputs: { mode: 'forget' }, error: 'TODO' },
      cli: { args: ['forget'], error: 'TODO' },
    },
    {
      name: 'a host filter no snapshot matches',
      action: { inputs: { mode: 'restore', target: path.join(p.dir, 'never-1'), host: 'nohost' }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target', path.join(p.dir, 'never-1'), '--host', 'nohost'], error: 'TODO' },
    },
    {
      name: 'a snapshot id that is not hex',
      action: { inputs: { mode: 'restore', target: path.join(p.dir, 'never-2'), snapshot: 'xyz!' }, error: 'TODO' },
      cli: { args: ['restore', 'xyz!', '--target', path.join(p.dir, 'never-2')], error: 'TODO' },
    },
    {
      name: 'a snapshot id no snapshot has',
      action: { inputs: { mode: 'ls', snapshot: 'deadbeef' }, error: 'TODO' },
      cli: { args: ['ls', 'deadbeef'], error: 'TODO' },
    },
    {
      name: 'a snapshot id prefix two snapshots share',
      action: { inputs: { mode: 'stats', snapshot: p.sharedPrefix }, error: 'TODO' },
      cli: { args: ['stats', p.sharedPrefix], error: 'TODO' },
    },
    {
      name: 'a restore target that is not empty, without overwrite',
      action: { inputs: { mode: 'restore', target: p.fullDir }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target', p.fullDir], error: 'TODO' },
    },
    {
      name: 'a restore target that is a file',
      action: { inputs: { mode: 'restore', target: p.aFile, overwrite: 'true' }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target', p.aFile, '--overwrite'], error: 'TODO' },
    },
    {
      name: "an include pattern '['",
      action: { inputs: { mode: 'restore', target: path.join(p.dir, 'never-3'), include: '[' }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target', path.join(p.dir, 'never-3'), '--include', '['], error: 'TODO' },
    },
    {
      name: "an exclude pattern '['",
      action: { inputs: { mode: 'backup', source: p.data, exclude: '[' }, error: 'TODO' },
      cli: { args: ['backup', '--exclude', '[', p.data], error: 'TODO' },
    },
    {
      name: 'a lock wait that is not a duration',
      action: { inputs: { mode: 'check', 'lock-wait': 'soon' }, error: 'TODO' },
      cli: { args: ['--lock-wait', 'soon', 'check'], error: 'TODO' },
    },
    {
      name: 'a concurrency of 0',
      action: { inputs: { mode: 'snapshots', concurrency: '0' }, error: 'TODO' },
      cli: { args: ['snapshots'], env: { CHUNKVAULT_CONCURRENCY: '0' }, error: 'TODO' },
    },
    {
      name: 'an s3 location without a bucket',
      action: { inputs: { mode: 'snapshots', repository: 's3:' }, error: 'TODO' },
      cli: { args: ['snapshots'], env: { RESTIC_REPOSITORY: 's3:' }, error: 'TODO' },
    },
    {
      name: 'a rest location that is not http(s)',
      action: { inputs: { mode: 'snapshots', repository: 'rest:ftp://example.com/repo' }, error: 'TODO' },
      cli: { args: ['snapshots'], env: { RESTIC_REPOSITORY: 'rest:ftp://example.com/repo' }, error: 'TODO' },
    },
    {
      name: 'a true/false setting given another value',
      action: { inputs: { mode: 'restore', target: path.join(p.dir, 'never-4'), overwrite: 'yes' }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target', path.join(p.dir, 'never-4'), '--overwrite=yes'], error: 'TODO' },
    },
    {
      name: 'a restore without a target',
      action: { inputs: { mode: 'restore' }, error: 'TODO' },
      cli: { args: ['restore', 'latest', '--target'], error: 'TODO' },
    },
    {
      name: 'tags set and added at once',
      action: { inputs: { mode: 'tag', 'set-tags': 'a', 'add-tags': 'b' }, error: 'TODO' },
      cli: { args: ['tag', '--set', 'a', '--add', 'b'], error: 'TODO' },
    },
    {
      name: 'a max snapshot age that is not a duration',
      action: { inputs: { mode: 'drill', 'max-snapshot-age': 'a week' }, error: 'TODO' },
      cli: { args: ['drill', '--max-snapshot-age', 'a week'], error: 'TODO' },
    },
    {
      name: 'a max RTO that is not a duration',
      action: { inputs: { mode: 'drill', 'max-rto': '10' }, error: 'TODO' },
      cli: { args: ['drill', '--max-rto', '10'], error: 'TODO' },
    },
    {
      name: 'a dump command that fails',
      action: { inputs: { mode: 'backup', 'dump-command': 'echo no database >&2; exit 3' }, error: 'TODO' },
      cli: { args: ['backup', '--stdin-from-command', '--', 'sh', '-c', 'echo no database >&2; exit 3'], error: 'TODO' },
    },
    {
      name: 'a source that matches nothing',
      action: { inputs: { mode: 'backup', source: path.join(p.dir, 'no-such-dir') }, error: 'TODO' },
      cli: { args: ['backup', path.join(p.dir, 'no-such-dir')], error: 'TODO' },
    },
    {
      name: 'a diff with one snapshot',
      action: { inputs: { mode: 'diff', 'base-snapshot': 'nothex!' }, error: 'TODO' },
      cli: { args: ['diff', 'latest'], error: 'TODO' },
    },
    {
      name: 'a copy without a second repository',
      action: { inputs: { mode: 'copy', 'copy-password': 'x' }, error: 'TODO' },
      cli: { args: ['copy'], error: 'TODO' },
    },
    {
      name: 'a password change without the new password',
      action: { inputs: { mode: 'key', 'key-command': 'passwd' }, error: 'TODO' },
      cli: { args: ['key', 'passwd'], error: 'TODO' },
    },
    {
      name: 'a key command that does not exist',
      action: { inputs: { mode: 'key', 'key-command': 'delete' }, error: 'TODO' },
      cli: { args: ['key', 'delete'], error: 'TODO' },
    },
    {
      name: 'a key removal without the key',
      action: { inputs: { mode: 'key', 'key-command': 'remove' }, error: 'TODO' },
      cli: { args: ['key', 'remove'], error: 'TODO' },
    },
    {
      name: 'an unknown group-by',
      action: { inputs: { mode: 'forget', 'keep-last': '1', 'group-by': 'hostname' }, error: 'TODO' },
      cli: { args: ['forget', '--keep-last', '1', '--group-by', 'hostname'], error: 'TODO' },
    },
    {
      name: 'a max-unused that is not a size or percentage',
      action: { inputs: { mode: 'prune', 'max-unused': '5 percent' }, error: 'TODO' },
      cli: { args: ['prune', '--max-unused', '5 percent'], error: 'TODO' },
    },
    {
      name: 'a max-repack-size that is not a size',
      action: { inputs: { mode: 'prune', 'max-repack-size': 'big' }, error: 'TODO' },
      cli: { args: ['prune', '--max-repack-size', 'big'], error: 'TODO' },
    },
    {
      name: 'a read-data subset of 1/0',
      action: { inputs: { mode: 'check', 'read-data-subset': '1/0' }, error: 'TODO' },
      cli: { args: ['check', '--read-data-subset', '1/0'], error: 'TODO' },
    },
    {
      name: 'an unknown stats mode',
      action: { inputs: { mode: 'stats', 'stats-mode': 'sizes' }, error: 'TODO' },
      cli: { args: ['stats', '--mode', 'sizes'], error: 'TODO' },
    },
    {
      name: 'a latest count in words',
      action: { inputs: { mode: 'snapshots', latest: 'many' }, error: 'TODO' },
      cli: { args: ['snapshots', '--latest', 'many'], error: 'TODO' },
    },
    {
      name: 'a parent that is not a snapshot id',
      action: { inputs: { mode: 'backup', source: p.data, parent: 'yesterday' }, error: 'TODO' },
      cli: { args: ['backup', '--parent', 'yesterday', p.data], error: 'TODO' },
    },
    {
      name: 'forget of a snapshot id that is not hex',
      action: { inputs: { mode: 'forget', 'snapshot-ids': 'last-week' }, error: 'TODO' },
      cli: { args: ['forget', 'last-week'], error: 'TODO' },
    },
    {
      name: 'a dump file name with a slash',
      action: { inputs: { mode: 'backup', 'dump-command': 'echo x', 'dump-filename': '../db.sql' }, error: 'TODO' },
      cli: { args: ['backup', '--stdin', '--stdin-filename', '../db.sql'], error: 'TODO' },
    },
    {
      name: 'an unknown flag or a misspelt input value',
      action: { inputs: { mode: 'snapshots', 'metadata-cache': 'on' }, error: 'TODO' },
      cli: { args: ['snapshots', '--lastest', '1'], error: 'TODO' },
    },
  ];
}

/** A digest of every file under dir (names and contents), locks aside: they come and go with every run. */
async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const name = path.join(rel, e.name);
      if (name === 'locks') continue;
      hash.update(`${name}\0`);
      if (e.isDirectory()) await walk(name);
      else hash.update(await readFile(path.join(dir, name)));
    }
  };
  await walk('');
  return hash.digest('hex');
}

/** At most `limit` runs at once: each spawns a Node process, and the machine has two cores. */
function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

function withoutUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A stack frame, or text from the bundle or the sources. */
const STACK = /^\s+at |node:internal|\/src\/\S+\.ts:\d|dist\/\S*index\.js/m;

describe('user mistakes through the action and the CLI', () => {
  let places: Places;
  let digest: string;
  const limit = limiter(3);

  beforeAll(async () => {
    const dir = await makeTempDir('mistakes');
    const repo = path.join(dir, 'repo');
    const data = path.join(dir, 'data');
    await mkdir(data);
    await writeFile(path.join(data, 'a.txt'), 'some data\n');
    await initCheapRepository(repo, PASSWORD);
    // Snapshots until two ids share their first hex digit (17 at most), for the ambiguous prefix.
    const repository = await Repository.open(new LocalBackend(repo), PASSWORD);
    const firstDigits = new Map<string, number>();
    let sharedPrefix = '';
    for (let i = 0; !sharedPrefix; i++) {
      const { snapshotId } = await backup(repository, { targets: [data], baseDir: dir, hostname: 'octo-org/app', time: new Date(Date.UTC(2026, 0, 1 + i)) });
      const digit = snapshotId[0]!;
      if (firstDigits.has(digit)) sharedPrefix = digit;
      firstDigits.set(digit, i);
    }
    const emptyFile = path.join(dir, 'empty-password');
    await writeFile(emptyFile, '');
    const fullDir = path.join(dir, 'full');
    await mkdir(fullDir);
    await writeFile(path.join(fullDir, 'keep.txt'), 'mine\n');
    const aFile = path.join(dir, 'a-file');
    await writeFile(aFile, 'not a directory\n');
    places = { dir, repo, data, emptyFile, fullDir, aFile, sharedPrefix };
    digest = await treeDigest(repo);
  });

  afterAll(async () => {
    // No run left a lock or changed anything, nor created the misspelt repository.
    expect(await readdir(path.join(places.repo, 'locks'))).toEqual([]);
    expect(await treeDigest(places.repo)).toBe(digest);
    await expect(stat(`${places.repo}-typo`)).rejects.toThrow(/ENOENT/);
    await removeDir(places.dir);
  });

  it('has at least 40 mistakes, each with a different name', () => {
    const rows = mistakes({ dir: '/d', repo: '/r', data: '/x', emptyFile: '/e', fullDir: '/f', aFile: '/a', sharedPrefix: '0' });
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  const rows = mistakes({ dir: '', repo: '', data: '', emptyFile: '', fullDir: '', aFile: '', sharedPrefix: '' });
  it.concurrent.each(rows.map((r, i) => [r.name, i] as const))('%s', async (_name, i) => {
    const row = mistakes(places)[i]!;
    const [action, cli] = await Promise.all([
      limit(() => runAction(withoutUndefined({ repository: places.repo, password: PASSWORD, ...row.action.inputs }), places.dir, undefined, COMPILE_CACHE)),
      limit(() =>
        runCli(row.cli.args, withoutUndefined({ RESTIC_REPOSITORY: places.repo, RESTIC_PASSWORD: PASSWORD, ...COMPILE_CACHE, ...row.cli.env }), places.dir),
      ),
    ]);
    const errorLine = action.stdout.split('\n').find((l) => l.startsWith('::error::'));
    const cliLine = cli.stderr.split('\n')[0]!;
    const shown = `action: ${errorLine}\ncli (${cli.code}): ${cliLine}`;
    expect(action.code, shown).toBe(1);
    expect(errorLine, shown).toBeDefined();
    const actionMessage = errorLine!.slice('::error::'.length);
    if (typeof row.action.error === 'string') expect(actionMessage, shown).toBe(row.action.error);
    else expect(actionMessage, shown).toMatch(row.action.error);
    expect(cli.code, shown).toBe(row.cli.code ?? ExitCode.Fatal);
    if (typeof row.cli.error === 'string') expect(cliLine, shown).toBe(row.cli.error);
    else expect(cliLine, shown).toMatch(row.cli.error);
    for (const text of [action.stdout, action.stderr, cli.stdout, cli.stderr]) expect(text, shown).not.toMatch(STACK);
    expect(action.stdout + cli.stderr, shown).not.toContain(PASSWORD);
    expect(await treeDigest(places.repo), `${shown}\nthe repository changed`).toBe(digest);
  });
});

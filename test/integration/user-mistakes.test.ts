/**
 * User mistakes, each made through both shells: the action (inputs in INPUT_* variables)
 * and the CLI (flags and environment). Every row checks the first error line (it names
 * the input or flag to change, and the value given), the exit code, that no stack trace
 * reaches the output, and that the repository is left as it was.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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
  /** The first line on stderr (after `before`), exactly or as a pattern. */
  error: string | RegExp;
  /** Lines that come first on stderr: the output of a command the CLI ran, a warning. */
  before?: (string | RegExp)[];
  /** Lines that follow the error line, which is otherwise the last. */
  after?: string[];
  /** @default ExitCode.Fatal */
  code?: number;
}

interface Mistake {
  name: string;
  action: ActionMistake;
  cli: CliMistake;
}

/** The end of a keep-within error: restic's units. */
const FORM_Y_M_D_H = 'use a number and a unit y, m, d or h, such as 30d or 1y6m';
/** The end of an error about our own durations (lock-wait, max-rto, max-snapshot-age). */
const FORM_MS_TO_W = 'use a number and a unit ms, s, m, h, d or w, such as 90s, 15m or 1h30m';

/**
 * Node keeps the compiled sources here between the runs: every run loads the same modules,
 * and compiling them again would cost most of a run's time.
 */

function mistakes(p: Places): Mistake[] {
  const never = (n: number) => path.join(p.dir, `never-${n}`);
  return [
    {
      name: 'a wrong password',
      action: {
        inputs: { mode: 'snapshots', password: 'not-the-password' },
        error: `wrong password: none of the 1 key file(s) in ${p.repo} opens with it: check the input 'password' (the secret it comes from)`,
      },
      cli: {
        args: ['snapshots'],
        env: { RESTIC_PASSWORD: 'not-the-password' },
        error: `chunkvault snapshots: wrong password: none of the 1 key file(s) in ${p.repo} opens with it: check the password (RESTIC_PASSWORD)`,
        code: ExitCode.WrongPassword,
      },
    },
    {
      name: 'an empty password (an unset secret; an empty password file)',
      action: { inputs: { mode: 'snapshots', password: '' }, error: /^input 'password' is empty: pass the repository password from a secret, .*\(a secret that is not set reads as empty\)$/ },
      cli: {
        args: ['snapshots', '--password-file', p.emptyFile],
        env: { RESTIC_PASSWORD: undefined },
        error: `chunkvault snapshots: the password file is empty (--password-file ${p.emptyFile}): write the password into it`,
      },
    },
    {
      name: 'a password of spaces; no password at all',
      action: { inputs: { mode: 'check', password: '   ' }, error: /^input 'password' is empty: / },
      cli: { args: ['check'], env: { RESTIC_PASSWORD: undefined }, error: 'chunkvault check: no password given: pass --password-file, or set CHUNKVAULT_PASSWORD or RESTIC_PASSWORD' },
    },
    {
      name: 'a repository path with a typo, without init',
      action: {
        inputs: { mode: 'backup', source: p.data, repository: `${p.repo}-typo`, init: 'false' },
        error: `input 'repository': no repository at ${p.repo}-typo (it has no config file): check it, or set 'init: true' to create one`,
      },
      cli: {
        args: ['backup', p.data],
        env: { RESTIC_REPOSITORY: `${p.repo}-typo` },
        error: `chunkvault backup: no repository at ${p.repo}-typo (it has no config file): check RESTIC_REPOSITORY, or create a repository there with 'chunkvault init'`,
        code: ExitCode.RepositoryNotFound,
      },
    },
    {
      name: 'a repository path with a typo in a mode without init',
      action: { inputs: { mode: 'restore', target: never(0), repository: `${p.repo}-typo` }, error: `input 'repository': no repository at ${p.repo}-typo (it has no config file): check it` },
      cli: {
        args: ['-r', `${p.repo}-typo`, 'restore', 'latest', '--target', never(0)],
        error: `chunkvault restore: no repository at ${p.repo}-typo (it has no config file): check -r/--repo, or create a repository there with 'chunkvault init'`,
        code: ExitCode.RepositoryNotFound,
      },
    },
    {
      name: 'no repository given',
      action: { inputs: { mode: 'snapshots', repository: undefined }, error: /^input 'repository' is required: / },
      cli: { args: ['snapshots'], env: { RESTIC_REPOSITORY: undefined }, error: 'chunkvault snapshots: no repository given: pass -r/--repo, or set RESTIC_REPOSITORY' },
    },
    {
      name: 'a mode or command that does not exist',
      action: { inputs: { mode: 'bakcup' }, error: "input 'mode' must be one of backup, restore, drill, forget, prune, check, snapshots, ls, diff, stats, copy, key, tag, unlock; got 'bakcup'" },
      cli: { args: ['bakcup', p.data], error: /^chunkvault: unknown command 'bakcup': use one of init, backup, .*, version \('chunkvault help' describes them\)$/ },
    },
    {
      name: 'a repository setting given a value it does not take',
      action: { inputs: { mode: 'backup', source: p.data, init: 'maybe' }, error: "input 'init' must be true or false; got 'maybe'" },
      cli: {
        args: ['init', '--repository-version', '3'],
        env: { RESTIC_REPOSITORY: `${p.repo}-typo` },
        error: "chunkvault init: --repository-version: '3' is not a repository version: use 1 or 2 (or 'latest', 'stable'); 2 is the default",
      },
    },
    {
      name: 'an unknown compression',
      action: { inputs: { mode: 'backup', source: p.data, compression: 'fast' }, error: "input 'compression' must be one of auto, max, off; got 'fast'" },
      cli: { args: ['backup', '--compression', 'fast', p.data], error: "chunkvault backup: --compression must be one of auto, max, off; got 'fast'" },
    },
    {
      name: 'a negative keep-last',
      action: { inputs: { mode: 'forget', 'keep-last': '-3' }, error: "input 'keep-last' must be a whole number of snapshots (0 or more), got '-3'" },
      cli: { args: ['forget', '--keep-last', '-3'], error: "chunkvault forget: --keep-last must be a whole number of snapshots (0 or more), got '-3'" },
    },
    {
      name: 'keep-daily 0 as the only rule',
      action: { inputs: { mode: 'forget', 'keep-daily': '0' }, error: /^the retention policy is empty: set at least one of the inputs keep-last, .*keep-within \(a duration such as 30d or 1y6m\) or keep-tag \(/ },
      cli: { args: ['forget', '-d', '0'], error: /^chunkvault forget: the retention policy is empty: set at least one of --keep-last, .*--keep-within-hourly\/-daily.* or --keep-tag \(/ },
    },
    {
      name: 'keep-weekly in words',
      action: { inputs: { mode: 'forget', 'keep-weekly': 'four' }, error: "input 'keep-weekly' must be a whole number of snapshots (0 or more), got 'four'" },
      cli: { args: ['forget', '--keep-weekly', 'four'], error: "chunkvault forget: --keep-weekly must be a whole number of snapshots (0 or more), got 'four'" },
    },
    {
      name: 'keep-within 30days',
      action: { inputs: { mode: 'forget', 'keep-within': '30days' }, error: `input 'keep-within': '30days' is not a duration: write 30days as 30d; ${FORM_Y_M_D_H}` },
      cli: { args: ['forget', '--keep-within', '30days'], error: `chunkvault forget: --keep-within: '30days' is not a duration: write 30days as 30d; ${FORM_Y_M_D_H}` },
    },
    {
      name: 'keep-within in weeks',
      action: { inputs: { mode: 'forget', 'keep-within': '2w' }, error: `input 'keep-within': '2w' is not a duration: write 2w as 14d; ${FORM_Y_M_D_H}` },
      cli: { args: ['forget', '--keep-within-daily', '2w3d'], error: `chunkvault forget: --keep-within-daily: '2w3d' is not a duration: write 2w as 14d; ${FORM_Y_M_D_H}` },
    },
    {
      name: 'keep-within without a unit',
      action: { inputs: { mode: 'forget', 'keep-within': '30' }, error: `input 'keep-within': '30' is not a duration: the number 30 has no unit; ${FORM_Y_M_D_H}` },
      cli: { args: ['forget', '--keep-within', '30'], error: `chunkvault forget: --keep-within: '30' is not a duration: the number 30 has no unit; ${FORM_Y_M_D_H}` },
    },
    {
      name: 'an empty forget policy',
      action: { inputs: { mode: 'forget' }, error: /^the retention policy is empty: set at least one of the inputs keep-last, / },
      cli: { args: ['forget'], error: /^chunkvault forget: the retention policy is empty: set at least one of --keep-last, / },
    },
    {
      name: 'a host filter no snapshot matches',
      action: { inputs: { mode: 'restore', target: never(1), host: 'nohost' }, error: /^no snapshot found for host nohost \(the repository has \d+ snapshot\(s\)\): check the input 'host'$/ },
      cli: { args: ['restore', 'latest', '--target', never(1), '--host', 'nohost'], error: /^chunkvault restore: no snapshot found for host nohost \(the repository has \d+ snapshot\(s\)\): check --host$/ },
    },
    {
      name: 'a snapshot id that is not hex',
      action: { inputs: { mode: 'restore', target: never(2), snapshot: 'xyz!' }, error: "input 'snapshot': 'xyz!' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
      cli: { args: ['restore', 'xyz!', '--target', never(2)], error: "chunkvault restore: 'xyz!' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
    },
    {
      name: 'a snapshot id no snapshot has',
      action: { inputs: { mode: 'ls', snapshot: 'deadbeef' }, error: "input 'snapshot': no snapshot has an id starting with 'deadbeef' (mode 'snapshots' lists them)" },
      cli: { args: ['ls', 'deadbeef'], error: "chunkvault ls: no snapshot has an id starting with 'deadbeef' ('chunkvault snapshots' lists them)" },
    },
    {
      name: 'a snapshot id prefix two snapshots share',
      action: {
        inputs: { mode: 'stats', snapshot: p.sharedPrefix },
        error: `input 'snapshot': '${p.sharedPrefix}' is ambiguous: 2 snapshots start with it; give more of the id (mode 'snapshots' lists them)`,
      },
      cli: {
        args: ['dump', p.sharedPrefix, '/'],
        error: `chunkvault dump: '${p.sharedPrefix}' is ambiguous: 2 snapshots start with it; give more of the id ('chunkvault snapshots' lists them)`,
      },
    },
    {
      name: 'a restore target that is not empty, without overwrite',
      action: {
        inputs: { mode: 'restore', target: p.fullDir },
        error: `input 'target': ${p.fullDir} is not empty (1 entry): restore into a new or empty directory, or set 'overwrite: true' to replace existing files`,
      },
      cli: {
        args: ['restore', 'latest', '--target', p.fullDir],
        error: `chunkvault restore: --target: ${p.fullDir} is not empty (1 entry): restore into a new or empty directory, or pass --overwrite to replace existing files`,
      },
    },
    {
      name: 'a restore target that is a file',
      action: { inputs: { mode: 'restore', target: p.aFile, overwrite: 'true' }, error: `input 'target': ${p.aFile} exists and is not a directory: name a directory (absent or empty)` },
      cli: { args: ['restore', 'latest', '-t', p.aFile, '--overwrite'], error: `chunkvault restore: --target: ${p.aFile} exists and is not a directory: name a directory (absent or empty)` },
    },
    {
      name: "an include pattern '['",
      action: { inputs: { mode: 'restore', target: never(3), include: '[' }, error: `input 'include': invalid pattern "[" (a "[" is not closed)` },
      cli: { args: ['restore', 'latest', '--target', never(3), '--include', '['], error: `chunkvault restore: --include: invalid pattern "[" (a "[" is not closed)` },
    },
    {
      name: "an exclude pattern '['",
      action: { inputs: { mode: 'backup', source: p.data, exclude: 'ok\n[' }, error: `input 'exclude': invalid pattern "[" (a "[" is not closed)` },
      cli: { args: ['backup', '--exclude', '[', p.data], error: `chunkvault backup: --exclude: invalid pattern "[" (a "[" is not closed)` },
    },
    {
      name: 'a lock wait that is not a duration',
      action: { inputs: { mode: 'check', 'lock-wait': 'soon' }, error: `input 'lock-wait': 'soon' is not a duration: ${FORM_MS_TO_W}` },
      cli: { args: ['--lock-wait', 'soon', 'check'], error: `chunkvault check: --lock-wait: 'soon' is not a duration: ${FORM_MS_TO_W}` },
    },
    {
      name: 'a concurrency of 0',
      action: { inputs: { mode: 'snapshots', concurrency: '0' }, error: "input 'concurrency' must be a whole number from 1 to 64; got '0'" },
      cli: { args: ['snapshots'], env: { CHUNKVAULT_CONCURRENCY: '0' }, error: "chunkvault snapshots: CHUNKVAULT_CONCURRENCY must be a whole number from 1 to 64; got '0'" },
    },
    {
      name: 'an s3 location without a bucket',
      action: { inputs: { mode: 'snapshots', repository: 's3:' }, error: "input 'repository': 's3:': an S3 location names at least a bucket: s3:https://host/bucket[/prefix]" },
      cli: { args: ['-r', 's3:', 'snapshots'], error: "chunkvault snapshots: -r/--repo: 's3:': an S3 location names at least a bucket: s3:https://host/bucket[/prefix]" },
    },
    {
      name: 'a rest location that is not http(s)',
      action: { inputs: { mode: 'snapshots', repository: 'rest:ftp://example.com/repo' }, error: "input 'repository': 'rest:ftp://example.com/repo': a REST location is an http:// or https:// URL" },
      cli: {
        args: ['snapshots'],
        env: { RESTIC_REPOSITORY: 'rest:ftp://example.com/repo' },
        error: "chunkvault snapshots: RESTIC_REPOSITORY: 'rest:ftp://example.com/repo': a REST location is an http:// or https:// URL",
      },
    },
    {
      name: 'a true/false setting given another value',
      action: { inputs: { mode: 'restore', target: never(4), overwrite: 'yes' }, error: "input 'overwrite' must be true or false; got 'yes'" },
      cli: {
        args: ['restore', 'latest', '--target', never(4), '--overwrite=yes'],
        error: "chunkvault restore: --overwrite takes no value, got 'yes': give --overwrite alone to turn it on; see 'chunkvault restore --help'",
      },
    },
    {
      name: 'a restore without a target',
      action: { inputs: { mode: 'restore' }, error: "input 'target' is required for a restore: an empty or absent directory" },
      cli: { args: ['restore', 'latest', '--target'], error: "chunkvault restore: --target needs a value; see 'chunkvault restore --help'" },
    },
    {
      name: 'a flag value that is another flag',
      action: { inputs: { mode: 'restore', target: '' }, error: "input 'target' is required for a restore: an empty or absent directory" },
      cli: {
        args: ['restore', 'latest', '--target', '--overwrite'],
        error: "chunkvault restore: --target needs a value, but --overwrite follows it (to give a value starting with '-', write --target=--overwrite); see 'chunkvault restore --help'",
      },
    },
    {
      name: 'tags set and added at once',
      action: { inputs: { mode: 'tag', 'set-tags': 'a', 'add-tags': 'b' }, error: "input 'set-tags' and 'add-tags'/'remove-tags' cannot be given at the same time" },
      cli: { args: ['tag', '--set', 'a', '--add', 'b'], error: 'chunkvault tag: --set and --add/--remove cannot be given at the same time' },
    },
    {
      name: 'a max snapshot age that is not a duration',
      action: { inputs: { mode: 'drill', 'max-snapshot-age': 'a week' }, error: `input 'max-snapshot-age': 'a week' is not a duration: ${FORM_MS_TO_W}` },
      cli: { args: ['drill', '--max-snapshot-age', 'a week'], error: `chunkvault drill: --max-snapshot-age: 'a week' is not a duration: ${FORM_MS_TO_W}` },
    },
    {
      name: 'a max RTO without a unit',
      action: { inputs: { mode: 'drill', 'max-rto': '10' }, error: `input 'max-rto': '10' is not a duration: ${FORM_MS_TO_W}` },
      cli: { args: ['drill', '--max-rto', '10'], error: `chunkvault drill: --max-rto: '10' is not a duration: ${FORM_MS_TO_W}` },
    },
    {
      name: 'a dump command that fails',
      action: {
        inputs: { mode: 'backup', 'dump-command': 'echo no database >&2; exit 3' },
        error: "dump command 'echo no database >&2; exit 3' failed with exit status 3; no snapshot was written. The last lines of its standard error:%0A  no database",
      },
      cli: {
        args: ['backup', '--stdin-from-command', '--', 'sh', '-c', 'echo no database >&2; exit 3'],
        // The command's own standard error comes first, and its last lines end the message.
        before: ['  | no database'],
        error: "chunkvault backup: dump command 'sh -c echo no database >&2; exit 3' failed with exit status 3; no snapshot was written. The last lines of its standard error:",
        after: ['  no database'],
      },
    },
    {
      name: 'a source that matches nothing',
      // With init at its default (true): the misspelt repository is not created either.
      action: {
        inputs: { mode: 'backup', source: 'no-such-dir', repository: `${p.repo}-typo` },
        error: `input 'source': 'no-such-dir' matched nothing (relative paths start at ${p.dir})`,
      },
      cli: { args: ['backup', path.join(p.dir, 'no-such-dir')], error: `chunkvault backup: nothing to back up: ${p.dir}/no-such-dir does not exist` },
    },
    {
      name: 'a diff with one snapshot, or a base that is no id',
      action: { inputs: { mode: 'diff', 'base-snapshot': 'nothex!' }, error: "input 'base-snapshot': 'nothex!' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
      cli: { args: ['diff', 'latest'], error: "chunkvault diff: diff compares two snapshots: give SNAPSHOT1 SNAPSHOT2 (ids, prefixes or 'latest'), not 1" },
    },
    {
      name: 'a copy without a second repository',
      action: { inputs: { mode: 'copy', 'copy-password': 'x' }, error: /^input 'copy-repository' is required for a copy: / },
      cli: { args: ['copy'], error: 'chunkvault copy: no source repository given: pass --from-repo (or --from-repository-file), or set RESTIC_FROM_REPOSITORY' },
    },
    {
      name: 'a password change without the new password',
      action: { inputs: { mode: 'key', 'key-command': 'passwd' }, error: /^input 'new-password' is required for key passwd / },
      cli: { args: ['key', 'passwd'], error: 'chunkvault key: no new password given: pass --new-password-file FILE' },
    },
    {
      name: 'a key command that does not exist',
      action: { inputs: { mode: 'key', 'key-command': 'delete' }, error: "input 'key-command' must be one of list, add, remove, passwd; got 'delete'" },
      cli: { args: ['key', 'delete'], error: "chunkvault key: unknown key command 'delete'; usage: key list | add | remove ID | passwd" },
    },
    {
      name: 'a key removal without the key',
      action: { inputs: { mode: 'key', 'key-command': 'remove' }, error: /^input 'key-id' is required for key remove: / },
      cli: { args: ['key', 'remove'], error: 'chunkvault key: wrong number of arguments for key remove; usage: key list | add | remove ID | passwd' },
    },
    {
      name: 'an unknown group-by',
      action: { inputs: { mode: 'forget', 'keep-last': '1', 'group-by': 'hostname' }, error: /^input 'group-by': unknown grouping option 'hostname' in 'hostname': use host, paths/ },
      cli: { args: ['forget', '--keep-last', '1', '--group-by', 'host,hostname'], error: /^chunkvault forget: --group-by: unknown grouping option 'hostname' in 'host,hostname': use host, paths/ },
    },
    {
      name: 'a max-unused that is not a size or percentage',
      action: { inputs: { mode: 'prune', 'max-unused': '5 percent' }, error: /^input 'max-unused': '5 percent' is not a limit: use a size such as 500M or 2G, a percentage such as 5%25, or 'unlimited'$/ },
      cli: { args: ['prune', '--max-unused', '5 percent'], error: "chunkvault prune: --max-unused: '5 percent' is not a limit: use a size such as 500M or 2G, a percentage such as 5%, or 'unlimited'" },
    },
    {
      name: 'a max-repack-size that is not a size',
      action: { inputs: { mode: 'prune', 'max-repack-size': 'big' }, error: "input 'max-repack-size': 'big' is not a size: use a number and k, m, g or t, such as 500M or 2G" },
      cli: { args: ['forget', '-l', '1', '--prune', '--max-repack-size', 'big'], error: "chunkvault forget: --max-repack-size: 'big' is not a size: use a number and k, m, g or t, such as 500M or 2G" },
    },
    {
      name: 'a read-data subset of 1/0',
      action: { inputs: { mode: 'check', 'read-data-subset': '1/0' }, error: "input 'read-data-subset': '1/0' is not a subset: n/t needs whole numbers with 1 <= n <= t, e.g. 1/5" },
      cli: { args: ['check', '--read-data-subset', '1/0'], error: "chunkvault check: --read-data-subset: '1/0' is not a subset: n/t needs whole numbers with 1 <= n <= t, e.g. 1/5" },
    },
    {
      name: 'an unknown stats mode',
      action: { inputs: { mode: 'stats', 'stats-mode': 'sizes' }, error: "input 'stats-mode' must be one of restore-size, files-by-contents, blobs-per-file, raw-data; got 'sizes'" },
      cli: { args: ['stats', '--mode', 'sizes'], error: "chunkvault stats: --mode must be one of restore-size, files-by-contents, blobs-per-file, raw-data; got 'sizes'" },
    },
    {
      name: 'a latest count in words',
      action: { inputs: { mode: 'snapshots', latest: 'many' }, error: "input 'latest' must be a whole number of snapshots; got 'many'" },
      cli: { args: ['snapshots', '--latest', 'many'], error: "chunkvault snapshots: --latest must be a whole number of snapshots, not 'many'" },
    },
    {
      name: 'a parent that is not a snapshot id',
      action: { inputs: { mode: 'backup', source: p.data, parent: 'yesterday' }, error: "input 'parent': 'yesterday' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
      cli: { args: ['backup', '--parent', 'yesterday', p.data], error: "chunkvault backup: --parent: 'yesterday' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
    },
    {
      name: 'a snapshot to forget or compare that is no id',
      action: { inputs: { mode: 'forget', 'snapshot-ids': 'last-week' }, error: "input 'snapshot-ids': 'last-week' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
      cli: { args: ['diff', 'last-week', 'latest'], error: "chunkvault diff: 'last-week' is not a snapshot id: use 'latest', a full id or a unique prefix of one" },
    },
    {
      name: 'a dump file name with a slash',
      action: { inputs: { mode: 'backup', 'dump-command': 'echo x', 'dump-filename': '../db.sql' }, error: "input 'dump-filename' must be a plain file name (no '/', not '.' or '..'); got '../db.sql'" },
      cli: { args: ['backup', '--stdin', '--stdin-filename', '../db.sql'], error: "chunkvault backup: --stdin-filename must be a plain file name (no '/', not '.' or '..'); got '../db.sql'" },
    },
    {
      name: 'an unknown flag or a misspelt input value',
      action: { inputs: { mode: 'snapshots', 'metadata-cache': 'on' }, error: "input 'metadata-cache' must be true or false; got 'on'" },
      cli: { args: ['snapshots', '--lastest', '1'], error: "chunkvault snapshots: unknown flag --lastest (did you mean --latest?); see 'chunkvault snapshots --help'" },
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
    const firstDigits = new Set<string>();
    let sharedPrefix = '';
    for (let day = 1; !sharedPrefix; day++) {
      const { snapshotId } = await backup(repository, { targets: [data], baseDir: dir, hostname: 'octo-org/app', time: new Date(Date.UTC(2026, 0, day)) });
      const digit = snapshotId[0]!;
      if (firstDigits.has(digit)) sharedPrefix = digit;
      firstDigits.add(digit);
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
    try {
      // No run left a lock or changed anything, nor created the misspelt repository.
      expect(await readdir(path.join(places.repo, 'locks'))).toEqual([]);
      expect(await treeDigest(places.repo)).toBe(digest);
      await expect(stat(`${places.repo}-typo`)).rejects.toThrow(/ENOENT/);
    } finally {
      await removeDir(places.dir);
    }
  });

  it('has at least 40 mistakes, each with a different name', () => {
    const rows = mistakes({ dir: '/d', repo: '/r', data: '/x', emptyFile: '/e', fullDir: '/f', aFile: '/a', sharedPrefix: '0' });
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  // The names are known before beforeAll has made the places; each row is built again with them.
  const rows = mistakes({ dir: '', repo: '', data: '', emptyFile: '', fullDir: '', aFile: '', sharedPrefix: '' });
  it.concurrent.each(rows.map((r, i) => [r.name, i] as const))('%s', async (_name, i) => {
    const row = mistakes(places)[i]!;
    const [action, cli] = await Promise.all([
      limit(() => runAction(withoutUndefined({ repository: places.repo, password: PASSWORD, ...row.action.inputs }), places.dir)),
      limit(() =>
        runCli(row.cli.args, withoutUndefined({ RESTIC_REPOSITORY: places.repo, RESTIC_PASSWORD: PASSWORD, ...row.cli.env }), places.dir),
      ),
    ]);
    const errorLines = action.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    const errorLine = errorLines[0];
    const stderrLines = cli.stderr.split('\n');
    const before = row.cli.before ?? [];
    const cliLine = stderrLines[before.length]!;
    const shown = `action: ${errorLine}\ncli (${cli.code}): ${cli.stderr}`;
    expect(action.code, shown).toBe(1);
    expect(errorLines, shown).toHaveLength(1);
    const actionMessage = errorLine!.slice('::error::'.length);
    if (typeof row.action.error === 'string') expect(actionMessage, shown).toBe(row.action.error);
    else expect(actionMessage, shown).toMatch(row.action.error);
    expect(cli.code, shown).toBe(row.cli.code ?? ExitCode.Fatal);
    before.forEach((line, at) => (typeof line === 'string' ? expect(stderrLines[at], shown).toBe(line) : expect(stderrLines[at], shown).toMatch(line)));
    if (typeof row.cli.error === 'string') expect(cliLine, shown).toBe(row.cli.error);
    else expect(cliLine, shown).toMatch(row.cli.error);
    // One line: nothing follows the error (no usage text, no second message).
    expect(stderrLines.slice(before.length + 1), shown).toEqual([...(row.cli.after ?? []), '']);
    for (const text of [action.stdout, action.stderr, cli.stdout, cli.stderr]) expect(text, shown).not.toMatch(STACK);
    // The password reaches the runner only to be masked.
    const unmasked = action.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect([...unmasked, action.stderr, cli.stdout, cli.stderr].join('\n'), shown).not.toContain(PASSWORD);
    expect(await treeDigest(places.repo), `${shown}\nthe repository changed`).toBe(digest);
  });
});

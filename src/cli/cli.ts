/**
 * The `chunkvault` command line: parse, dispatch, map errors to restic's exit codes.
 */
import { parseArgs } from 'node:util';
import { errorMessage, parseDuration, PROGRAM_VERSION } from '../engine/index.ts';
import { installSignalHandlers } from '../process/signals.ts';
import { BACKUP_HELP, runBackup } from './commands/backup.ts';
import { FILES_FROM_FLAGS } from './files-from.ts';
import { INIT_HELP, runInit } from './commands/init.ts';
import { SNAPSHOTS_HELP, runSnapshots } from './commands/snapshots.ts';
import { RESTORE_HELP, runRestore } from './commands/restore.ts';
import { DRILL_HELP, runDrill } from './commands/drill.ts';
import { CHECK_HELP, runCheck } from './commands/check.ts';
import { PRUNE_HELP, runPrune } from './commands/prune.ts';
import { FORGET_HELP, runForget } from './commands/forget.ts';
import { UNLOCK_HELP, runUnlock } from './commands/unlock.ts';
import { DIFF_HELP, runDiff } from './commands/diff.ts';
import { STATS_HELP, runStats } from './commands/stats.ts';
import { KEY_HELP, runKey } from './commands/key.ts';
import { TAG_HELP, runTag } from './commands/tag.ts';
import { COPY_HELP, runCopy } from './commands/copy.ts';
import { SOURCE_REPOSITORY_FLAGS } from './source-repository.ts';
import { DUMP_HELP, runDump } from './commands/dump.ts';
import { LS_HELP, runLs } from './commands/ls.ts';
import { FIND_HELP, runFind } from './commands/find.ts';
import { describeArgumentError, joinNegativeValues } from './argument-errors.ts';
import { messageNamingFlag } from './error-hints.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import { closeOpenedStorages, GLOBAL_FLAGS, type GlobalOptions } from './globals.ts';
import { consoleOutput } from './output.ts';

const USAGE = `chunkvault ${PROGRAM_VERSION}: encrypted, deduplicated backups in restic's repository format

Usage: chunkvault [-r REPO] [--password-file FILE] [--cacert FILE] [--lock-wait DURATION] [--no-lock]
                  [-o rclone.program|rclone.args=VALUE] [--json] [-q] COMMAND [options]

Commands:
  init        create a repository
  backup      back up paths into a new snapshot
  snapshots   list snapshots
  restore     restore a snapshot into a directory
  drill       restore a snapshot into scratch, verify it, run a check, measure the RTO
  check       check the repository for errors (--read-data reads and verifies packs)
  forget      remove snapshots by a retention policy or by id (--prune: then prune)
  prune       delete data no snapshot uses (repacking partly used packs)
  unlock      remove stale locks (left by killed processes)
  diff        show what changed from one snapshot to another
  stats       add up the sizes in snapshots (restore size, raw data, ...)
  key         list, add, remove keys or change the password (key list|add|remove ID|passwd)
  tag         add, remove or set tags of snapshots
  copy        copy snapshots from another repository (--from-repo) into this one
  dump        write a file of a snapshot to stdout (a directory as a tar archive)
  ls          list the files and directories of a snapshot
  find        find files and directories in snapshots by name pattern
  version     print the version

The repository comes from -r or RESTIC_REPOSITORY, the password from --password-file,
CHUNKVAULT_PASSWORD or RESTIC_PASSWORD. --lock-wait (e.g. 5m) waits for other processes'
locks instead of failing at once. --no-lock lets the commands that only read (restore,
drill, check, diff, stats, dump, find) run without a lock; they do so by themselves, with a
warning, when the storage refuses the lock file (read-only credentials). For an
rclone:REMOTE:PATH repository, -o rclone.program=PATH and -o rclone.args='serve restic
--stdio ...' change how rclone is run, as in restic.
'chunkvault COMMAND --help' describes a command.`;

const COMMAND_FLAGS = {
  init: { 'repository-version': { type: 'string' }, 'copy-chunker-params': { type: 'boolean', default: false }, ...SOURCE_REPOSITORY_FLAGS },
  backup: {
    host: { type: 'string' },
    tag: { type: 'string', multiple: true },
    exclude: { type: 'string', short: 'e', multiple: true },
    iexclude: { type: 'string', multiple: true },
    'exclude-file': { type: 'string', multiple: true },
    'iexclude-file': { type: 'string', multiple: true },
    'exclude-if-present': { type: 'string', multiple: true },
    'exclude-caches': { type: 'boolean', default: false },
    'exclude-larger-than': { type: 'string' },
    'one-file-system': { type: 'boolean', short: 'x', default: false },
    compression: { type: 'string' },
    parent: { type: 'string' },
    description: { type: 'string' },
    force: { type: 'boolean', default: false },
    stdin: { type: 'boolean', default: false },
    'stdin-from-command': { type: 'boolean', default: false },
    'stdin-filename': { type: 'string' },
    'allow-empty-dump': { type: 'boolean', default: false },
    'files-from': { type: 'string', multiple: true },
    'files-from-verbatim': { type: 'string', multiple: true },
    'files-from-raw': { type: 'string', multiple: true },
  },
  snapshots: {
    host: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    latest: { type: 'string' },
    'group-by': { type: 'string', short: 'g' },
  },
  restore: {
    target: { type: 'string', short: 't' },
    include: { type: 'string', short: 'i', multiple: true },
    host: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    overwrite: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
  },
  drill: {
    'max-snapshot-age': { type: 'string' },
    'max-rto': { type: 'string' },
    command: { type: 'string' },
    scratch: { type: 'string' },
    'keep-restore': { type: 'boolean', default: false },
    include: { type: 'string', short: 'i', multiple: true },
    host: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  check: {
    'read-data': { type: 'boolean', default: false },
    'read-data-subset': { type: 'string' },
  },
  forget: {
    'keep-last': { type: 'string', short: 'l' },
    'keep-hourly': { type: 'string', short: 'H' },
    'keep-daily': { type: 'string', short: 'd' },
    'keep-weekly': { type: 'string', short: 'w' },
    'keep-monthly': { type: 'string', short: 'm' },
    'keep-yearly': { type: 'string', short: 'y' },
    'keep-within': { type: 'string' },
    'keep-within-hourly': { type: 'string' },
    'keep-within-daily': { type: 'string' },
    'keep-within-weekly': { type: 'string' },
    'keep-within-monthly': { type: 'string' },
    'keep-within-yearly': { type: 'string' },
    'keep-tag': { type: 'string', multiple: true },
    'group-by': { type: 'string', short: 'g' },
    host: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean', short: 'n', default: false },
    prune: { type: 'boolean', default: false },
    'max-unused': { type: 'string' },
    'max-repack-size': { type: 'string' },
  },
  unlock: {
    'remove-all': { type: 'boolean', default: false },
  },
  diff: {
    metadata: { type: 'boolean', default: false },
  },
  stats: {
    mode: { type: 'string' },
    host: { type: 'string', short: 'H', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  key: {
    'new-password-file': { type: 'string' },
    user: { type: 'string' },
    host: { type: 'string' },
  },
  tag: {
    set: { type: 'string', multiple: true },
    add: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    host: { type: 'string', short: 'H', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  copy: {
    ...SOURCE_REPOSITORY_FLAGS,
    host: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  prune: {
    'dry-run': { type: 'boolean', short: 'n', default: false },
    'max-unused': { type: 'string' },
    'max-repack-size': { type: 'string' },
    'repack-uncompressed': { type: 'boolean', default: false },
  },
  dump: {
    archive: { type: 'string', short: 'a' },
    host: { type: 'string', short: 'H', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  ls: {
    long: { type: 'boolean', short: 'l', default: false },
    recursive: { type: 'boolean', default: false },
    host: { type: 'string', short: 'H', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
  find: {
    'ignore-case': { type: 'boolean', short: 'i', default: false },
    snapshot: { type: 'string', short: 's', multiple: true },
    oldest: { type: 'string', short: 'O' },
    newest: { type: 'string', short: 'N' },
    long: { type: 'boolean', short: 'l', default: false },
    host: { type: 'string', short: 'H', multiple: true },
    tag: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
  },
} as const;

const HELP: Record<string, string> = {
  init: INIT_HELP,
  backup: BACKUP_HELP,
  snapshots: SNAPSHOTS_HELP,
  restore: RESTORE_HELP,
  drill: DRILL_HELP,
  check: CHECK_HELP,
  prune: PRUNE_HELP,
  forget: FORGET_HELP,
  unlock: UNLOCK_HELP,
  diff: DIFF_HELP,
  stats: STATS_HELP,
  key: KEY_HELP,
  tag: TAG_HELP,
  copy: COPY_HELP,
  dump: DUMP_HELP,
  ls: LS_HELP,
  find: FIND_HELP,
};

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const commandAt = argv.findIndex((a, i) => !a.startsWith('-') && !isFlagValue(argv, i));
  const command = commandAt >= 0 ? argv[commandAt]! : undefined;
  if (!command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? ExitCode.Ok : ExitCode.Fatal;
  }
  if (command === 'version') {
    process.stdout.write(`chunkvault ${PROGRAM_VERSION} on Node ${process.versions.node}\n`);
    return ExitCode.Ok;
  }
  const flags = COMMAND_FLAGS[command as keyof typeof COMMAND_FLAGS];
  if (!flags) {
    process.stderr.write(`chunkvault: unknown command '${command}': use one of ${[...Object.keys(COMMAND_FLAGS), 'version'].join(', ')} ('chunkvault help' describes them)\n`);
    return ExitCode.Fatal;
  }
  let parsed;
  const options = { ...GLOBAL_FLAGS, ...flags };
  const args = joinNegativeValues([...argv.slice(0, commandAt), ...argv.slice(commandAt + 1)], options);
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`chunkvault ${command}: ${describeArgumentError(args, options, command, errorMessage(e))}\n`);
    return ExitCode.Fatal;
  }
  const v = parsed.values as Record<string, unknown>;
  if (v.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return ExitCode.Ok;
  }
  // restic's --cacert; the backend options read it from the environment like RESTIC_CACERT.
  if (typeof v.cacert === 'string') env = { ...env, CHUNKVAULT_CACERT: v.cacert };
  let lockWaitMs = 0;
  try {
    if (typeof v['lock-wait'] === 'string') lockWaitMs = parseDuration(v['lock-wait'], '--lock-wait');
  } catch (e) {
    process.stderr.write(`chunkvault ${command}: ${errorMessage(e)}\n`);
    return ExitCode.Fatal;
  }
  const g: GlobalOptions = {
    repo: v.repo as string | undefined,
    passwordFile: v['password-file'] as string | undefined,
    json: v.json === true,
    quiet: v.quiet === true,
    lockWaitMs,
    noLock: v['no-lock'] === true,
    options: v.option as string[] | undefined,
  };
  const out = consoleOutput(g.quiet);
  const signals = installSignalHandlers((sig, count) =>
    out.warn(count === 1 ? `${sig} received: stopping and removing the lock` : `${sig} received again: still cleaning up; a third signal exits at once`),
  );
  try {
    switch (command) {
      case 'init':
        return await runInit(g, v, out, env);
      case 'backup':
        if (parsed.positionals.length === 0 && !v.stdin && !v['stdin-from-command'] && !FILES_FROM_FLAGS.some((f) => v[f] !== undefined)) {
          process.stderr.write(`chunkvault backup: no paths given: name the files and directories to back up, or use --files-from or --stdin; see 'chunkvault backup --help'\n`);
          return ExitCode.Fatal;
        }
        return await runBackup(g, v, parsed.positionals, out, env, signals.signal);
      case 'snapshots':
        return await runSnapshots(g, v, parsed.positionals, out, env, signals.signal);
      case 'restore':
        return await runRestore(g, v, parsed.positionals, out, env, signals.signal);
      case 'drill':
        return await runDrill(g, v, parsed.positionals, out, env, signals.signal);
      case 'check':
        return await runCheck(g, v, out, env, signals.signal);
      case 'prune':
        return await runPrune(g, v, out, env, signals.signal);
      case 'forget':
        return await runForget(g, v, parsed.positionals, out, env, signals.signal);
      case 'unlock':
        return await runUnlock(g, v, out, env, signals.signal);
      case 'diff':
        return await runDiff(g, v, parsed.positionals, out, env, signals.signal);
      case 'stats':
        return await runStats(g, v, parsed.positionals, out, env, signals.signal);
      case 'key':
        return await runKey(g, v, parsed.positionals, out, env, signals.signal);
      case 'tag':
        return await runTag(g, v, parsed.positionals, out, env, signals.signal);
      case 'copy':
        return await runCopy(g, v, parsed.positionals, out, env, signals.signal);
      case 'dump':
        return await runDump(g, v, parsed.positionals, out, env, signals.signal);
      case 'ls':
        return await runLs(g, v, parsed.positionals, out, env, signals.signal);
      case 'find':
        return await runFind(g, v, parsed.positionals, out, env, signals.signal);
      default:
        return ExitCode.Fatal;
    }
  } catch (e) {
    out.done();
    const code = signals.received() ? ExitCode.Interrupted : exitCodeFor(e);
    process.stderr.write(`chunkvault ${command}: ${messageNamingFlag(e, v)}\n`);
    return code;
  } finally {
    await closeOpenedStorages();
    signals.dispose();
  }
}

/** Whether argv[i] is the value of a preceding global flag that takes one. */
function isFlagValue(argv: string[], i: number): boolean {
  const prev = argv[i - 1];
  return prev === '-r' || prev === '--repo' || prev === '-p' || prev === '--password-file' || prev === '--cacert' || prev === '--lock-wait' || prev === '-o' || prev === '--option';
}

import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { backup, checkDumpFilename, checkSnapshotRef, ChunkvaultError, contentCacheFile, ErrorCode, errorMessage, parsePathPatterns, parseSize, patternFileLines, formatBytes, formatCount, formatDuration, lockRefreshWarning, parseCompressionMode, type BackupResult, type DumpSource } from '../../engine/index.ts';
import { execDumpSource, streamDumpSource } from '../../process/dump-command.ts';
import { commandEnvironment } from '../../process/run-shell.ts';
import { backupProgressLine } from '../../report/backup-progress.ts';
import { compressionText, dedupText } from '../../report/figures.ts';
import { ExitCode } from '../exit-codes.ts';
import { metadataCacheDir, openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';
import { FILES_FROM_FLAGS, filesFromTargets, type FilesFromArgs } from '../files-from.ts';

export const BACKUP_HELP = `chunkvault backup: back up files and directories into a new snapshot

Usage: chunkvault backup -r REPO [options] PATH...
       chunkvault backup -r REPO [options] --files-from LIST [PATH...]
       chunkvault backup -r REPO [options] --stdin [--stdin-filename NAME]
       chunkvault backup -r REPO [options] [--stdin-filename NAME] --stdin-from-command -- CMD [ARGS...]

Options:
  --host NAME          hostname recorded in the snapshot (default: this machine's)
  --tag TAG            add a tag (repeatable, or comma-separated)
  --exclude PATTERN    leave out matching paths (repeatable), restic's patterns: '*.log',
                       'node_modules' (any depth), 'build/tmp' (at any depth), '/abs/path'
                       (anchored), '**' for any number of directories, '!' to take back
  --iexclude PATTERN   the same, ignoring case
  --exclude-file FILE  read exclude patterns from FILE, one per line ('#' comments, $VARS)
  --iexclude-file FILE the same, ignoring case
  --exclude-if-present NAME[:HEADER]  leave out the contents of directories holding the
                       file NAME (beginning with HEADER, when given), except NAME (repeatable)
  --exclude-caches     leave out directories tagged with a CACHEDIR.TAG (except the tag)
  --exclude-larger-than SIZE  leave out files larger than SIZE (e.g. 500M; k, m, g, t)
  -x, --one-file-system  stay on the file system of each PATH (mount points are kept, empty)
  --compression MODE   auto (default), max or off
  --parent ID          use this snapshot (id, prefix) as the parent; 'latest' (the default):
                       the newest with the same host and paths
  --description TEXT   store this text in the snapshot (rustic's description field)
  --force              read every file, ignoring the parent snapshot
  --files-from FILE    back up what FILE lists, one glob per line (Go's filepath.Glob; blank
                       lines and '#' comments skipped; '-' reads standard input; repeatable)
  --files-from-verbatim FILE  the same, each line a path taken as it is (only empty lines skipped)
  --files-from-raw FILE       the same, paths each ended by a NUL byte (find -print0)
                       Listed paths that do not exist are skipped with a warning, as in restic.
  --stdin              back up what arrives on standard input, as the file /NAME
  --stdin-from-command run CMD ARGS... (no shell) and back up its standard output as the
                       file /NAME; its standard error is shown. If it exits non-zero, is
                       killed or writes nothing, no snapshot is written (exit code 1).
                       It runs without the repository password in its environment.
  --stdin-filename NAME  the file name for --stdin and --stdin-from-command (default: stdin)
  --allow-empty-dump   accept a --stdin or --stdin-from-command that writes nothing (else:
                       no snapshot, exit 1)

Exit codes: 0 done, 3 snapshot written but some files could not be read, 1 failure,
10 no repository, 11 locked, 12 wrong password, 130 interrupted.`;

export interface BackupArgs extends FilesFromArgs {
  host?: string;
  tag?: string[];
  exclude?: string[];
  iexclude?: string[];
  'exclude-file'?: string[];
  'iexclude-file'?: string[];
  'exclude-if-present'?: string[];
  'exclude-caches'?: boolean;
  'exclude-larger-than'?: string;
  'one-file-system'?: boolean;
  compression?: string;
  parent?: string;
  description?: string;
  force?: boolean;
  stdin?: boolean;
  'stdin-from-command'?: boolean;
  'stdin-filename'?: string;
  'allow-empty-dump'?: boolean;
}

/** restic's default --stdin-filename. */
const DEFAULT_STDIN_FILENAME = 'stdin';

export async function runBackup(
  g: GlobalOptions,
  args: BackupArgs,
  paths: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const compression = parseCompressionMode(args.compression ?? 'auto', '--compression');
  if (args.parent !== undefined) checkSnapshotRef(args.parent, '--parent');
  const listsGiven = FILES_FROM_FLAGS.filter((f) => args[f]?.length);
  if (listsGiven.length > 0 && (args.stdin || args['stdin-from-command'])) {
    throw usage(`--${args.stdin ? 'stdin' : 'stdin-from-command'} and --${listsGiven[0]} cannot be used together`);
  }
  // Read before the repository is opened: a bad list costs no key derivation.
  const listed = listsGiven.length > 0 ? filesFromTargets(args, process.cwd(), (m) => out.warn(m)) : [];
  if (listsGiven.length > 0 && listed.length === 0 && paths.length === 0) {
    throw usage(`nothing to back up: the --${listsGiven.join(', --')} list${listsGiven.length > 1 ? 's name' : ' names'} no file that exists`);
  }
  const dump = dumpSource(args, listsGiven.length > 0 ? [...listed, ...paths] : paths, out, env);
  const patterns = excludePatterns(args, env);
  const largerThan = args['exclude-larger-than'];
  const excludeLargerThan = largerThan === undefined ? undefined : parseSize(largerThan, '--exclude-larger-than');
  const repo = await openRepository(g, env, { compression, signal });
  const cacheDir = metadataCacheDir(env);
  const result = await backup(repo, {
    // --force reads and chunks every file: no candidate blob lists, from the parent or the cache.
    contentCacheFile: cacheDir === undefined || args.force ? undefined : contentCacheFile(cacheDir, repo.id),
    lockWaitMs: g.lockWaitMs,
    targets: dump ? [] : [...listed, ...paths],
    dump,
    ...patterns,
    excludeIfPresent: args['exclude-if-present'],
    excludeCaches: args['exclude-caches'],
    excludeLargerThan,
    oneFileSystem: args['one-file-system'],
    onWarning: (message) => out.warn(message),
    baseDir: process.cwd(),
    hostname: args.host ?? os.hostname(),
    tags: (args.tag ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean),
    parent: args.force ? null : args.parent,
    description: args.description,
    signal,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(backupProgressLine(p)),
    onSourceError: (e) => out.warn(`${e.path}: ${e.message}`),
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (result.contentCache?.saveError) out.warn(`content cache ${result.contentCache.file} not saved: ${result.contentCache.saveError}`);
  if (g.json) out.result(JSON.stringify(summaryJson(result)));
  else out.result(summaryText(result));
  return result.errors.length > 0 ? ExitCode.PartialBackup : ExitCode.Ok;
}

/**
 * The exclude patterns of the four flags, read and checked before the repository is
 * opened: a malformed one is refused naming the flag it came from.
 */
function excludePatterns(args: BackupArgs, env: NodeJS.ProcessEnv): { excludes: string[]; iexcludes: string[] } {
  const checked = (patterns: string[], flag: string, ignoreCase: boolean) => {
    parsePathPatterns(patterns, flag, { ignoreCase });
    return patterns;
  };
  return {
    excludes: [
      ...checked(args.exclude ?? [], '--exclude', false),
      ...checked(readPatternFiles(args['exclude-file'], '--exclude-file', env), '--exclude-file', false),
    ],
    iexcludes: [
      ...checked(args.iexclude ?? [], '--iexclude', true),
      ...checked(readPatternFiles(args['iexclude-file'], '--iexclude-file', env), '--iexclude-file', true),
    ],
  };
}

function readPatternFiles(files: readonly string[] | undefined, flag: string, env: NodeJS.ProcessEnv): string[] {
  return (files ?? []).flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `${flag} ${file}: ${errorMessage(e)}`);
    }
    return patternFileLines(text, env);
  });
}

/**
 * restic's rules: --stdin and --stdin-from-command exclude each other and PATH arguments;
 * after --stdin-from-command the arguments are the command (put `--` before it, so that
 * its own options are not read as ours).
 */
function dumpSource(args: BackupArgs, positionals: string[], out: Output, env: NodeJS.ProcessEnv): DumpSource | undefined {
  const filename = checkDumpFilename(args['stdin-filename'] ?? DEFAULT_STDIN_FILENAME, '--stdin-filename');
  const allowEmpty = args['allow-empty-dump'] === true;
  if (args.stdin && args['stdin-from-command']) throw usage('--stdin and --stdin-from-command cannot be used together');
  if (args['stdin-from-command']) {
    if (positionals.length === 0) throw usage('--stdin-from-command needs a command: chunkvault backup --stdin-from-command -- CMD [ARGS...]');
    return execDumpSource(positionals, {
      filename,
      allowEmpty,
      env: commandEnvironment(env, {}),
      onStderrLine: (line) => out.info(`  | ${line}`),
    });
  }
  if (args.stdin) {
    if (positionals.length > 0) throw usage('--stdin was given and so were paths to back up: use one or the other');
    return streamDumpSource(process.stdin, { filename, allowEmpty });
  }
  if (args['stdin-filename'] !== undefined) throw usage('--stdin-filename needs --stdin or --stdin-from-command');
  if (allowEmpty) throw usage('--allow-empty-dump needs --stdin or --stdin-from-command');
  if (positionals.length === 0) throw usage('no paths given');
  return undefined;
}

function usage(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, message);
}

function summaryText(r: BackupResult): string {
  const s = r.stats;
  return [
    r.parentId ? `using parent snapshot ${r.parentId.slice(0, 8)}` : 'no parent snapshot found, all files were read',
    `Files:       ${formatCount(s.filesNew)} new, ${formatCount(s.filesChanged)} changed, ${formatCount(s.filesUnmodified)} unmodified`,
    `Dirs:        ${formatCount(s.dirsNew)} new, ${formatCount(s.dirsChanged)} changed, ${formatCount(s.dirsUnmodified)} unmodified`,
    `Added to the repository: ${formatBytes(s.dataAdded)} of new data, ${formatBytes(s.bytesAdded)} stored ` +
      `(dedup ${dedupText(s)}, compression ${compressionText(s)})`,
    `processed ${formatCount(s.filesNew + s.filesChanged + s.filesUnmodified)} files, ${formatBytes(s.bytesProcessed)} in ${formatDuration(s.durationMs)}`,
    ...(r.errors.length ? [`${r.errors.length} file(s) could not be read and were left out`] : []),
    ...(r.dump ? [`dump ${r.dump.path}: ${formatBytes(r.dump.bytes)}`] : []),
    ...(s.bytesVerified > 0 ? [`${formatBytes(s.bytesVerified)} matched blobs already stored, checked by hash instead of chunked`] : []),
    `snapshot ${r.snapshotId.slice(0, 8)} saved`,
  ].join('\n');
}

/** Close to restic's `backup --json` summary message, with the full snapshot id. */
function summaryJson(r: BackupResult): Record<string, unknown> {
  const s = r.stats;
  return {
    message_type: 'summary',
    files_new: s.filesNew,
    files_changed: s.filesChanged,
    files_unmodified: s.filesUnmodified,
    dirs_new: s.dirsNew,
    dirs_changed: s.dirsChanged,
    dirs_unmodified: s.dirsUnmodified,
    data_blobs: s.dataBlobs,
    tree_blobs: s.treeBlobs,
    data_added: s.dataAdded,
    data_added_packed: s.dataAddedPacked,
    bytes_added: s.bytesAdded,
    total_files_processed: s.filesNew + s.filesChanged + s.filesUnmodified,
    total_bytes_processed: s.bytesProcessed,
    /** chunkvault's own: bytes matched to stored blobs by hash instead of being chunked. */
    bytes_verified: s.bytesVerified,
    total_duration: s.durationMs / 1000,
    snapshot_id: r.snapshotId,
    parent_id: r.parentId ?? null,
    error_count: r.errors.length,
    ...(r.dump ? { dump_path: r.dump.path, dump_bytes: r.dump.bytes } : {}),
  };
}

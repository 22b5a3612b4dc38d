/**
 * `chunkvault dump SNAPSHOT PATH`: restic's dump. A file goes to stdout as its bytes
 * (streamed: `chunkvault dump latest /db.sql | psql`), a directory as a tar archive.
 */
import { DUMP_ARCHIVE_FORMATS, dumpFromSnapshot, invalidInput, isOutputGone, lockRefreshWarning, type DumpArchiveFormat } from '../../engine/index.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const DUMP_HELP = `chunkvault dump: write a file or directory of a snapshot to stdout, as restic dump does

Usage: chunkvault dump -r REPO [options] SNAPSHOT PATH

A file is written as its bytes, read and verified blob by blob: memory stays flat
whatever its size, so it can flow straight into another program
(chunkvault dump latest /db.sql | psql app). A directory is written as a tar archive of
what it holds (paths relative to the snapshot's root); '/' archives the whole snapshot.
SNAPSHOT is an id, a unique prefix of one, or 'latest'.

Options:
  -a, --archive FORMAT   archive format for directories: tar (the default; zip is not supported)
  -H, --host HOST        'latest' of this host (repeatable)
  --tag TAG              'latest' with these tags (repeatable; "a,b" means both)
  --path PATH            'latest' of a snapshot that includes this path (repeatable)

Exit codes: 0 written (also when the reader stopped early, as 'head' does), 1 failure
(path not found, data missing or corrupt), 10 no repository, 11 locked, 12 wrong password.`;

export interface DumpArgs {
  archive?: string;
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runDump(
  g: GlobalOptions,
  args: DumpArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  if (positionals.length !== 2) throw invalidInput(`dump takes a snapshot and a path, got ${positionals.length} argument(s): chunkvault dump SNAPSHOT PATH`);
  const archive = args.archive ?? 'tar';
  if (!(DUMP_ARCHIVE_FORMATS as readonly string[]).includes(archive)) {
    throw invalidInput(`--archive ${archive}: unknown or unsupported archive format (supported: ${DUMP_ARCHIVE_FORMATS.join(', ')})`);
  }
  const repo = await openRepository(g, env, { signal });
  try {
    await dumpFromSnapshot(repo, {
      snapshot: positionals[0]!,
      path: positionals[1]!,
      filter: { hosts: args.host, tags: args.tag, paths: args.path },
      archive: archive as DumpArchiveFormat,
      output: process.stdout,
      allowArchive: process.stdout.isTTY !== true,
      lockWaitMs: g.lockWaitMs,
      noLock: g.noLock,
      onWarning: (message) => out.warn(message),
      signal,
      onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
    });
  } catch (e) {
    if (isOutputGone(e)) {
      // Writes still queued fail too; they must not crash the process on the way out.
      process.stdout.on('error', () => {});
      return ExitCode.Ok;
    }
    throw e;
  }
  return ExitCode.Ok;
}

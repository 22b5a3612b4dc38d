import { copy, lockRefreshWarning } from '../../engine/index.ts';
import { copyProgressLine, copyReportLines, copySnapshotLine } from '../../report/copy-report.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';
import { openSourceRepository, type SourceRepositoryArgs } from '../source-repository.ts';

export const COPY_HELP = `chunkvault copy: copy snapshots from another repository into this one, as restic copy does

Usage: chunkvault -r DEST copy --from-repo SRC [--from-password-file FILE] [--host H] [--tag T] [--path P] [ID|latest ...]

Only the blobs the destination lacks are read, re-encrypted with the destination's key and
stored; each snapshot is written after its data and index, keeping the source's id as
'original'. Snapshots copied before (same original and the same time, tree, host, user,
paths, tags and excludes) are skipped. Without IDs every snapshot that passes the filters
is copied. Data is not re-chunked: create the destination with
'init --from-repo SRC --copy-chunker-params' so that later backups deduplicate against it.

Options:
  --from-repo SRC             the source repository (default: $RESTIC_FROM_REPOSITORY)
  --from-repository-file F    a file holding the source repository's location (default: $RESTIC_FROM_REPOSITORY_FILE)
  --from-password-file F      the source repository's password file (default: $RESTIC_FROM_PASSWORD_FILE;
                              else $RESTIC_FROM_PASSWORD)
  --host H, --tag T, --path P only snapshots with this host / tags / path (repeatable),
                              when no ID is given (they also narrow 'latest')`;

export interface CopyArgs extends SourceRepositoryArgs {
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runCopy(g: GlobalOptions, args: CopyArgs, positionals: string[], out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  // The source first: a wrong source password stops the copy before the destination is touched.
  const source = await openSourceRepository(g, args, env, { signal });
  const destination = await openRepository(g, env, { signal });
  const result = await copy(source, destination, {
    snapshots: positionals,
    filter: { hosts: args.host, tags: args.tag, paths: args.path },
    lockWaitMs: g.lockWaitMs,
    onWarning: (message) => out.warn(message),
    signal,
    progressIntervalMs: out.progressIntervalMs,
    onProgress: g.json ? undefined : (p) => out.progress(copyProgressLine(p)),
    onSnapshot: (o) => {
      out.done();
      out.info(copySnapshotLine(o));
    },
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
  });
  out.done();
  if (g.json) {
    out.result(
      JSON.stringify({
        message_type: 'summary',
        snapshots_copied: result.copied,
        snapshots_skipped: result.skipped,
        snapshots: result.snapshots.map((o) => ({ source: o.sourceId, status: o.status, destination: o.destinationId })),
        data_blobs: result.stats.dataBlobs,
        tree_blobs: result.stats.treeBlobs,
        bytes_copied: result.stats.bytesCopied,
        bytes_added: result.stats.bytesAdded,
      }),
    );
  } else {
    out.result(copyReportLines(result).join('\n'));
  }
  return ExitCode.Ok;
}

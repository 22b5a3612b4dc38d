/**
 * `chunkvault find PATTERN...`: restic 0.14's find over snapshot trees, same lines and
 * --json document. (restic's --blob, --tree, --pack and --show-pack-id are not here.)
 */
import { find, invalidInput, lockRefreshWarning, parseFindTime } from '../../engine/index.ts';
import { FindJsonWriter, findSnapshotLine, nodeLineBytes } from '../../report/node-listing.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';
import { watchStdoutReader } from '../stdout-reader.ts';

export const FIND_HELP = `chunkvault find: find files and directories in snapshots by name, as restic find does

Usage: chunkvault find -r REPO [options] PATTERN...

A pattern matches a node's path in the snapshot, restic's way: without a leading '/' it
matches at any depth ('*.sql', 'config', 'app/*.yml'); with one it is anchored at the
root ('/srv/**/cache'). '*' stays within one path component, '**' spans several.
Every snapshot that passes --host/--tag/--path is searched, oldest first, unless
--snapshot names some.

Options:
  -i, --ignore-case      compare patterns and paths ignoring case
  -s, --snapshot ID      search only this snapshot (repeatable; an id, a prefix or 'latest')
  -O, --oldest TIME      only nodes modified at or after TIME ('2026-12-05', '2026-12-05 14:30',
                         '2026-12-05 14:30:00 +0100', '05.12.2026'; local time without a zone)
  -N, --newest TIME      only nodes modified at or before TIME
  -l, --long             also show mode, owner ids, size and modification time
  -H, --host HOST        only snapshots of this host (repeatable)
  --tag TAG              only snapshots with these tags (repeatable; "a,b" means both)
  --path PATH            only snapshots that include this path (repeatable)`;

export interface FindArgs {
  'ignore-case'?: boolean;
  snapshot?: string[];
  oldest?: string;
  newest?: string;
  long?: boolean;
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runFind(
  g: GlobalOptions,
  args: FindArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  if (positionals.length === 0) throw invalidInput("find needs at least one pattern, e.g. chunkvault find '*.sql'");
  const oldest = args.oldest !== undefined ? parseFindTime(args.oldest, '--oldest') : undefined;
  const newest = args.newest !== undefined ? parseFindTime(args.newest, '--newest') : undefined;
  const repo = await openRepository(g, env, { signal });
  const reader = watchStdoutReader(signal);
  const json = new FindJsonWriter((text) => process.stdout.write(text));
  let snapshotsShown = 0;
  try {
    await find(repo, {
      patterns: positionals,
      ignoreCase: args['ignore-case'] === true,
      snapshots: args.snapshot,
      filter: { hosts: args.host, tags: args.tag, paths: args.path },
      oldest,
      newest,
      lockWaitMs: g.lockWaitMs,
      noLock: g.noLock,
      onWarning: (message) => out.warn(message),
      signal: reader.signal,
      onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
      onSnapshot: (s) => {
        if (g.json || g.quiet) return;
        if (snapshotsShown++ > 0) out.result('');
        out.result(findSnapshotLine(s));
      },
      onMatch: (s, path, node, rawPath) => {
        if (g.json) json.match(s, path, node);
        else process.stdout.write(nodeLineBytes(rawPath, node, args.long === true));
      },
    });
    if (g.json) json.finish();
  } catch (e) {
    if (reader.gone()) return ExitCode.Ok;
    throw e;
  } finally {
    reader.dispose();
  }
  return ExitCode.Ok;
}

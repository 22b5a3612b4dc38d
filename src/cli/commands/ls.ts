/**
 * `chunkvault ls SNAPSHOT [DIR...]`: restic 0.14's ls, same lines and --json objects.
 */
import { invalidInput, ls } from '../../engine/index.ts';
import { lsNodeJson, lsSnapshotJson, lsSnapshotLine, nodeLineBytes } from '../../report/node-listing.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';
import { watchStdoutReader } from '../stdout-reader.ts';

export const LS_HELP = `chunkvault ls: list the files and directories of a snapshot, as restic ls does

Usage: chunkvault ls -r REPO [options] SNAPSHOT [DIR...]

SNAPSHOT is an id, a unique prefix of one, or 'latest'. Without DIR, everything in the
snapshot is listed; with DIRs (absolute paths in the snapshot), each DIR and what it
directly holds. --json prints the snapshot and then one node per line, in restic's fields.

Options:
  -l, --long      also show mode, owner ids, size and modification time (local time)
  --recursive     list everything below the DIRs, not only their direct entries
  -H, --host HOST 'latest' of this host (repeatable)
  --tag TAG       'latest' with these tags (repeatable; "a,b" means both)
  --path PATH     'latest' of a snapshot that includes this path (repeatable)`;

export interface LsArgs {
  long?: boolean;
  recursive?: boolean;
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runLs(
  g: GlobalOptions,
  args: LsArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const [snapshot, ...dirs] = positionals;
  if (snapshot === undefined) throw invalidInput("no snapshot given: pass a snapshot id or 'latest'");
  const repo = await openRepository(g, env, { signal });
  const reader = watchStdoutReader(signal);
  try {
    await ls(repo, {
      snapshot,
      dirs,
      recursive: args.recursive === true,
      filter: { hosts: args.host, tags: args.tag, paths: args.path },
      signal: reader.signal,
      onSnapshot: (s) => {
        if (g.json) out.result(lsSnapshotJson(s));
        else if (!g.quiet) out.result(lsSnapshotLine(s, dirs));
      },
      onNode: (path, node, rawPath) => {
        if (g.json) out.result(lsNodeJson(path, node));
        else process.stdout.write(nodeLineBytes(rawPath, node, args.long === true));
      },
    });
  } catch (e) {
    if (reader.gone()) return ExitCode.Ok;
    throw e;
  } finally {
    reader.dispose();
  }
  return ExitCode.Ok;
}

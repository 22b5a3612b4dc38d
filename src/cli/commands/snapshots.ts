import { groupForListing, invalidInput, parseGroupBy, selectSnapshots } from '../../engine/index.ts';
import { snapshotListJson } from '../../report/snapshot-json.ts';
import { snapshotTableLines } from '../../report/snapshot-table.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const SNAPSHOTS_HELP = `chunkvault snapshots: list snapshots, as restic snapshots does

Usage: chunkvault snapshots -r REPO [ID...] [--host H] [--tag T] [--path P]
                            [--latest N] [--group-by G] [--json]

IDs are full ids, unique prefixes, or 'latest' (the newest that passes --host/--tag/--path);
with IDs, only those are listed and the filters serve only 'latest'.
  --latest N      only the newest N snapshots of each host and set of paths
  --group-by G    list per group: host, paths and/or tags, comma-separated
  --json          restic's snapshots --json output (plus description, read_errors and summary)

A partial snapshot (its backup could not read some files, which are not in it) shows how
many in a Partial column, there only when one of the listed snapshots is partial.`;

export interface SnapshotsArgs {
  host?: string[];
  tag?: string[];
  path?: string[];
  latest?: string;
  'group-by'?: string;
}

export async function runSnapshots(
  g: GlobalOptions,
  args: SnapshotsArgs,
  positionals: string[],
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const latest = parseLatest(args.latest);
  const groupBy = parseGroupBy(args['group-by'] ?? '', '--group-by');
  const repo = await openRepository(g, env, { signal });
  const selection = await selectSnapshots(repo, positionals, { hosts: args.host, tags: args.tag, paths: args.path }, { signal });
  for (const w of selection.warnings) out.warn(w);
  const groups = groupForListing(selection.snapshots, groupBy, latest);
  if (g.json) out.result(JSON.stringify(snapshotListJson(groups)));
  else out.result(snapshotTableLines(groups).join('\n'));
  return 0;
}

function parseLatest(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw invalidInput(`--latest must be a whole number of snapshots, not '${text}'`);
  return Number(text);
}

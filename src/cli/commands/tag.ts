import { checkTagOptions, flattenTagLists, lockRefreshWarning, shortId, tag } from '../../engine/index.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const TAG_HELP = `chunkvault tag: change the tags of snapshots, as restic tag does

Usage: chunkvault tag -r REPO (--set T | --add T | --remove T)... [--host H] [--tag T] [--path P] [ID...]

A changed snapshot is saved as a new snapshot file that names the first version in its
'original' field; the old file is removed once the new one is stored. Without IDs, every
snapshot that passes --host, --tag and --path is changed.

Options:
  --set TAGS      replace all tags (comma lists, repeatable; --set '' removes every tag)
  --add TAGS      add tags (comma lists, repeatable)
  --remove TAGS   remove tags (comma lists, repeatable)
  --host H        only snapshots of this host, when no ID is given (repeatable)
  --tag T         only snapshots with all tags of T (a comma list), when no ID is given (repeatable)
  --path P        only snapshots that include this path, when no ID is given (repeatable)`;

export interface TagArgs {
  set?: string[];
  add?: string[];
  remove?: string[];
  host?: string[];
  tag?: string[];
  path?: string[];
}

export async function runTag(g: GlobalOptions, args: TagArgs, ids: string[], out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const change = {
    set: args.set === undefined ? undefined : flattenTagLists(args.set),
    add: flattenTagLists(args.add ?? []),
    remove: flattenTagLists(args.remove ?? []),
  };
  // Before the repository is opened: a mistake in the flags changes nothing.
  checkTagOptions(change);
  const repo = await openRepository(g, env, { signal });
  const r = await tag(repo, {
    ...change,
    snapshots: ids,
    filter: { hosts: args.host, tags: args.tag, paths: args.path },
    signal,
    lockWaitMs: g.lockWaitMs,
    onLockRefreshError: (e) => out.warn(lockRefreshWarning(e)),
    onChanged: (c) => out.info(`snapshot ${shortId(c.oldId)} saved as ${shortId(c.newId)} with tags [${c.tags.join(', ')}]`),
  });
  for (const f of r.failed) out.warn(`unable to modify the tags of snapshot ${shortId(f.id)}: ${f.message}`);
  if (g.json) {
    out.result(JSON.stringify({ changed: r.changed.map((c) => ({ old_id: c.oldId, new_id: c.newId, original: c.original, tags: c.tags })), unchanged: r.unchanged, failed: r.failed }));
  } else {
    out.result(r.changed.length === 0 ? 'no snapshots were modified' : `modified tags on ${r.changed.length} snapshot${r.changed.length === 1 ? '' : 's'}`);
  }
  return r.failed.length > 0 ? ExitCode.Fatal : ExitCode.Ok;
}

import { shortId, unlock, type LockHolder } from '../../engine/index.ts';
import { describeLockHolder } from '../../report/lock-holder.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const UNLOCK_HELP = `chunkvault unlock: remove locks left by processes that are gone, as restic unlock does

Usage: chunkvault unlock -r REPO [--remove-all]

A lock is stale when it was not refreshed for 30 minutes (running processes refresh theirs
every 5), or when its process ran on this host and no longer exists. Only stale locks are
removed unless --remove-all is given.

Options:
  --remove-all    remove every lock, also those that look alive: only when you are sure
                  that nothing else uses the repository`;

export async function runUnlock(g: GlobalOptions, args: { 'remove-all'?: boolean }, out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const repo = await openRepository(g, env, { signal });
  const r = await unlock(repo, { removeAll: args['remove-all'] === true, signal });
  const describe = (h: LockHolder) => `${shortId(h.id)} ${describeLockHolder(h)}`;
  if (g.json) {
    out.result(JSON.stringify({ removed: r.removed.map((h) => h.id), kept: r.kept.map((h) => h.id) }));
    return ExitCode.Ok;
  }
  for (const h of r.removed) out.result(`removed ${describe(h)}`);
  for (const h of r.kept) out.result(`kept ${describe(h)}: it looks alive (use --remove-all if you are sure it is not)`);
  if (r.removed.length === 0 && r.kept.length === 0) out.result('no locks');
  return ExitCode.Ok;
}

/** Mode `unlock`: remove the locks of processes that are gone (a cancelled job), or every lock with remove-all. */
import * as core from '@actions/core';
import { shortId, unlock } from '../../engine/index.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { UnlockSettings } from '../settings.ts';
import { describeLockHolder } from '../../report/lock-holder.ts';
import { unlockSummary } from '../summary/unlock.ts';
import { writeSummary } from '../summary/write.ts';

export async function runUnlockMode(settings: UnlockSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const r = await unlock(repo, { removeAll: settings.removeAll, signal });
  for (const h of r.removed) core.info(`removed ${shortId(h.id)} ${describeLockHolder(h)}`);
  for (const h of r.kept) core.info(`kept ${shortId(h.id)} ${describeLockHolder(h)}: it looks alive (remove-all: true removes it)`);
  if (r.removed.length === 0 && r.kept.length === 0) core.info(`no locks in ${location}`);
  core.setOutput(Outputs.RemovedLocks, JSON.stringify(r.removed.map((h) => h.id)));
  core.setOutput(Outputs.KeptLocks, JSON.stringify(r.kept.map((h) => h.id)));
  await writeSummary(unlockSummary(r, location));
  await finish();
}

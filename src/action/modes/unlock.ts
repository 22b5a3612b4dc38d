/** Mode `unlock`: remove the locks of processes that are gone (a cancelled job), or every lock with remove-all. */
import * as core from '@actions/core';
import { describeHolder, formatTime, shortId, unlock, type LockHolder } from '../../engine/index.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { UnlockSettings } from '../settings.ts';
import { code, escapeHtml } from '../summary-html.ts';

export async function runUnlockMode(settings: UnlockSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const r = await unlock(repo, { removeAll: settings.removeAll, signal });
  const describe = (h: LockHolder) =>
    `${h.info.exclusive ? 'exclusive' : 'shared'} lock of ${describeHolder(h.info)} since ${formatTime(h.info.time)}`;
  for (const h of r.removed) core.info(`removed ${shortId(h.id)} ${describe(h)}`);
  for (const h of r.kept) core.info(`kept ${shortId(h.id)} ${describe(h)}: it looks alive (remove-all: true removes it)`);
  if (r.removed.length === 0 && r.kept.length === 0) core.info(`no locks in ${location}`);
  core.setOutput(Outputs.RemovedLocks, JSON.stringify(r.removed.map((h) => h.id)));
  core.setOutput(Outputs.KeptLocks, JSON.stringify(r.kept.map((h) => h.id)));
  await core.summary
    .addHeading(`chunkvault: unlock: ${r.removed.length} lock(s) removed, ${r.kept.length} kept`, 2)
    .addTable([
      ['Lock', 'Holder', 'Decision'].map((h) => ({ data: h, header: true })),
      ...r.removed.map((h) => [code(shortId(h.id)), escapeHtml(describe(h)), 'removed']),
      ...r.kept.map((h) => [code(shortId(h.id)), escapeHtml(describe(h)), 'kept: looks alive']),
    ])
    .write();
  await finish();
}

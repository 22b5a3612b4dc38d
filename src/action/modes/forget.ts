/** Mode `forget`: the retention policy's decisions, each snapshot with the rule that kept it; optionally a prune. */
import * as core from '@actions/core';
import { describePolicy, forget, lockRefreshWarning, type ForgetResult } from '../../engine/index.ts';
import { forgetReportLines } from '../../report/forget-report.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { ForgetSettings } from '../settings.ts';
import { forgetSummary } from '../summary/forget.ts';
import { writeSummary } from '../summary/write.ts';
import { pruneOptions, setPruneOutputs } from './prune.ts';

export async function runForgetMode(settings: ForgetSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const title = settings.ids.length > 0 ? `Removing snapshots ${settings.ids.join(' ')}` : `Applying the retention policy: ${describePolicy(settings.policy)}`;
  // The forget's report in its group; the prune, when one follows, in a group of its own.
  core.startGroup(`${title}${settings.dryRun ? ' (dry run)' : ''}`);
  let open: 'forget' | 'prune' | undefined = 'forget';
  let result: ForgetResult;
  try {
    result = await forget(repo, {
      policy: settings.policy,
      ids: settings.ids,
      onWarning: (w) => core.warning(w),
      groupBy: settings.groupBy,
      filter: settings.filter,
      dryRun: settings.dryRun,
      prune: settings.prune ? pruneOptions(settings.pruneTuning) : undefined,
      lockWaitMs: settings.lockWaitMs,
      signal,
      // restic computes keep-within cut-offs in the local zone (UTC on hosted runners).
      localTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
      onForgotten: (r) => {
        for (const line of forgetReportLines(r)) core.info(line);
        core.endGroup();
        open = undefined;
        if (settings.prune && r.removed.length > 0) {
          core.startGroup(`Pruning ${location}${settings.dryRun ? ' (dry run)' : ''}`);
          open = 'prune';
        }
      },
    });
    if (result.prune) setPruneOutputs(result.prune);
  } finally {
    if (open) core.endGroup();
  }
  core.setOutput(Outputs.RemovedSnapshots, JSON.stringify(result.removed));
  core.setOutput(Outputs.KeptSnapshots, JSON.stringify(result.kept));
  core.setOutput(Outputs.RemovedCount, result.removed.length);
  await writeSummary(forgetSummary(result, location));
  await finish();
}

/**
 * The action: read the settings, run the mode, report. The one place that turns errors
 * into a failed step.
 */
import * as core from '@actions/core';
import { ErrorCode, errorMessage, isChunkvaultError } from '../engine/index.ts';
import { installSignalHandlers } from '../process/signals.ts';
import { Inputs } from './constants.ts';
import { getSettings } from './inputs.ts';
import { messageNamingInput } from './input-hints.ts';
import type { ActionSettings } from './settings.ts';
import { failureSummary } from './summary/failure.ts';
import { summaryWritten, writeSummary } from './summary/write.ts';
import { runBackupMode } from './modes/backup.ts';
import { runCheckMode } from './modes/check.ts';
import { runDrillMode } from './modes/drill.ts';
import { runRestoreMode } from './modes/restore.ts';
import { runSnapshotsMode } from './modes/snapshots.ts';
import { runLsMode } from './modes/ls.ts';
import { runForgetMode } from './modes/forget.ts';
import { runPruneMode } from './modes/prune.ts';
import { runDiffMode } from './modes/diff.ts';
import { runStatsMode } from './modes/stats.ts';
import { runKeyMode } from './modes/key.ts';
import { runTagMode } from './modes/tag.ts';
import { runUnlockMode } from './modes/unlock.ts';
import { runCopyMode } from './modes/copy.ts';

export async function run(): Promise<void> {
  const signals = installSignalHandlers((sig, count) =>
    core.warning(count === 1 ? `${sig} received: stopping, removing the repository lock` : `${sig} received again: still cleaning up`),
  );
  let settings: ActionSettings | undefined;
  try {
    settings = getSettings();
    switch (settings.mode) {
      case 'backup':
        return await runBackupMode(settings, signals.signal);
      case 'restore':
        return await runRestoreMode(settings, signals.signal);
      case 'drill':
        return await runDrillMode(settings, signals.signal);
      case 'check':
        return await runCheckMode(settings, signals.signal);
      case 'snapshots':
        return await runSnapshotsMode(settings, signals.signal);
      case 'ls':
        return await runLsMode(settings, signals.signal);
      case 'forget':
        return await runForgetMode(settings, signals.signal);
      case 'prune':
        return await runPruneMode(settings, signals.signal);
      case 'diff':
        return await runDiffMode(settings, signals.signal);
      case 'stats':
        return await runStatsMode(settings, signals.signal);
      case 'key':
        return await runKeyMode(settings, signals.signal);
      case 'tag':
        return await runTagMode(settings, signals.signal);
      case 'unlock':
        return await runUnlockMode(settings, signals.signal);
      case 'copy':
        return await runCopyMode(settings, signals.signal);
    }
  } catch (e) {
    const message = failureMessage(e);
    core.setFailed(message);
    await writeFailureSummary(settings, e, message);
  } finally {
    signals.dispose();
  }
}

/** A failure summary unless the mode's own summary already tells of the failure; never throws. */
async function writeFailureSummary(settings: ActionSettings | undefined, e: unknown, message: string): Promise<void> {
  if (summaryWritten() === 'failure') return;
  const mode = settings?.mode ?? core.getInput(Inputs.Mode);
  const secrets = secretsOf(settings);
  try {
    await writeSummary(failureSummary(mode, e, message, secrets), { failure: true });
  } catch (summaryError) {
    core.warning(`the job summary could not be written: ${errorMessage(summaryError)}`);
  }
}

/** What must not reach the summary, which the runner does not mask: every secret input, and what the locations carry. */
function secretsOf(settings: ActionSettings | undefined): string[] {
  const inputs = [Inputs.Password, Inputs.NewPassword, Inputs.CopyPassword, Inputs.AwsAccessKeyId, Inputs.AwsSecretAccessKey, Inputs.AwsSessionToken];
  return [
    ...inputs.map((name) => core.getInput(name)),
    ...(settings?.repository.secrets ?? []),
    ...(settings?.mode === 'copy' ? settings.destination.secrets : []),
  ].filter((s) => s !== '');
}

function failureMessage(e: unknown): string {
  if (isChunkvaultError(e, ErrorCode.WrongPassword)) return `${e.message}: check the input '${Inputs.Password}' (the secret it comes from)`;
  return messageNamingInput(e) ?? errorMessage(e);
}

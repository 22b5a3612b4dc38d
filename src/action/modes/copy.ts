/**
 * Mode `copy`: the snapshots of `repository` (the source, where backups go) copied into
 * `copy-repository`, e.g. from a repository on the runner to an offsite one (3-2-1). The
 * destination is created with the source's chunker parameters when it does not exist.
 */
import * as core from '@actions/core';
import { ChunkvaultError, copy, ErrorCode, isChunkvaultError, lockRefreshWarning } from '../../engine/index.ts';
import { copyProgressLine, copyReportLines, copySnapshotLine } from '../../report/copy-report.ts';
import { Inputs, Outputs } from '../constants.ts';
import { openRepository, type OpenedRepository } from '../open-repository.ts';
import type { CopySettings } from '../settings.ts';
import { copySummary } from '../summary/copy.ts';
import { writeSummary } from '../summary/write.ts';
import { PROGRESS_INTERVAL_MS } from './progress.ts';

export async function runCopyMode(settings: CopySettings, signal: AbortSignal): Promise<void> {
  // The source first: a wrong source password fails before the destination is opened or created.
  const source = await openRepository(settings, { signal });
  const destination = await openDestination(settings, source, signal);
  const result = await core.group(`Copying snapshots from ${source.location} to ${destination.location}`, async () => {
    const r = await copy(source.repo, destination.repo, {
      filter: settings.filter,
      lockWaitMs: settings.lockWaitMs,
      onWarning: (message) => core.warning(message),
      signal,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (p) => core.info(copyProgressLine(p)),
      onSnapshot: (o) => core.info(copySnapshotLine(o)),
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
    });
    for (const line of copyReportLines(r)) core.info(line);
    return r;
  });
  core.setOutput(Outputs.SnapshotsCopied, result.copied);
  core.setOutput(Outputs.SnapshotsSkipped, result.skipped);
  core.setOutput(Outputs.BytesAdded, result.stats.bytesAdded);
  await writeSummary(copySummary(result, source.location, destination.location));
  await destination.finish();
  await source.finish();
}

/** The destination, opened with its own password (or created); a wrong one names its input. */
async function openDestination(settings: CopySettings, source: OpenedRepository, signal: AbortSignal): Promise<OpenedRepository> {
  try {
    return await openRepository(
      { ...settings, repository: settings.destination, password: settings.destinationPassword },
      // New packs take the destination's own compression default; its chunker is the source's, so dedup holds.
      { init: settings.init, signal, chunkerPolynomial: source.repo.config.chunkerPolynomial, locationInput: Inputs.CopyRepository },
    );
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.WrongPassword)) {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `input '${Inputs.CopyRepository}': ${e.message}: check the input '${Inputs.CopyPassword}' (the secret it comes from)`, { cause: e });
    }
    throw e;
  }
}

/**
 * Mode `ls`: a snapshot's listing in the log, restic's `ls -l` lines, and a compact
 * summary (what was listed, how many files and directories, their size).
 */
import * as core from '@actions/core';
import { ls } from '../../engine/index.ts';
import { lsSnapshotLine, nodeLine } from '../../report/node-listing.ts';
import { openRepository } from '../open-repository.ts';
import type { LsSettings } from '../settings.ts';
import { lsSummary } from '../summary/ls.ts';
import { writeSummary } from '../summary/write.ts';

export async function runLsMode(settings: LsSettings, signal: AbortSignal): Promise<void> {
  const { repo, finish } = await openRepository(settings, { signal });
  const counts = { files: 0, dirs: 0, other: 0, bytes: 0 };
  const snapshot = await ls(repo, {
    snapshot: settings.snapshot,
    filter: settings.filter,
    dirs: settings.dirs,
    signal,
    onSnapshot: (s) => core.info(lsSnapshotLine(s, settings.dirs)),
    onNode: (path, node) => {
      core.info(nodeLine(path, node, true));
      if (node.type === 'file') {
        counts.files++;
        counts.bytes += node.size ?? 0;
      } else if (node.type === 'dir') counts.dirs++;
      else counts.other++;
    },
  });
  await writeSummary(lsSummary(snapshot.id, settings.dirs, counts));
  await finish();
}

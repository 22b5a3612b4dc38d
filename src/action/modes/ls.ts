/**
 * Mode `ls`: a snapshot's listing in the log, restic's `ls -l` lines, and a compact
 * summary (what was listed, how many files and directories, their size).
 */
import * as core from '@actions/core';
import { formatBytes, formatCount, ls } from '../../engine/index.ts';
import { lsSnapshotLine, nodeLine } from '../../report/node-listing.ts';
import { openRepository } from '../open-repository.ts';
import type { LsSettings } from '../settings.ts';
import { code } from '../summary-html.ts';

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
  const listed = settings.dirs.length > 0 ? settings.dirs.map((d) => code(d)).join(', ') : 'everything';
  await core.summary
    .addHeading(`chunkvault ls: snapshot ${snapshot.id.slice(0, 8)}`, 2)
    .addTable([
      ['Listed', 'Files', 'Directories', 'Other', 'Size of files'].map((h) => ({ data: h, header: true })),
      [listed, formatCount(counts.files), formatCount(counts.dirs), formatCount(counts.other), formatBytes(counts.bytes)],
    ])
    .addRaw('The listing is in the log of this step.', true)
    .write();
  await finish();
}

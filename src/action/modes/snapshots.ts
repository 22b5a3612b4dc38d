/** Mode `snapshots`: the list, as a JSON output and a table in the job summary. */
import * as core from '@actions/core';
import { formatBytes, formatCount, formatTime, listSnapshots } from '../../engine/index.ts';
import { snapshotJson } from '../../report/snapshot-json.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { SnapshotsSettings } from '../settings.ts';
import { code, escapeHtml } from '../summary-html.ts';

/** Rows in the summary table; the output has every snapshot. */
const MAX_ROWS = 100;

export async function runSnapshotsMode(settings: SnapshotsSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const list = await listSnapshots(repo, settings.filter, { signal });
  core.setOutput(Outputs.Snapshots, JSON.stringify(list.map(snapshotJson)));
  core.info(`${formatCount(list.length)} snapshot(s) in ${location}`);
  const newestFirst = [...list].reverse();
  await core.summary
    .addHeading(`chunkvault: ${formatCount(list.length)} snapshot(s)`, 2)
    .addTable([
      ['ID', 'Time', 'Host', 'Tags', 'Files', 'Size', 'Paths'].map((h) => ({ data: h, header: true })),
      ...newestFirst.slice(0, MAX_ROWS).map((s) => [
        code(s.id.slice(0, 8)),
        escapeHtml(formatTime(s.snapshot.time).replace('T', ' ').replace(/\.\d+/, '')),
        escapeHtml(s.snapshot.hostname ?? ''),
        escapeHtml((s.snapshot.tags ?? []).join(', ')),
        s.snapshot.summary ? formatCount(s.snapshot.summary.totalFilesProcessed) : '',
        s.snapshot.summary ? formatBytes(s.snapshot.summary.totalBytesProcessed) : '',
        s.snapshot.paths.map(escapeHtml).join('<br>'),
      ]),
    ])
    .addRaw(list.length > MAX_ROWS ? `Showing the newest ${MAX_ROWS}; the <code>snapshots</code> output has all of them.` : '', true)
    .write();
  await finish();
}

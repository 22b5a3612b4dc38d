/** Mode `snapshots`: the list, as a JSON output, a table in the log and one in the job summary. */
import * as core from '@actions/core';
import { formatBytes, formatCount, groupForListing, parseGroupBy, selectSnapshots } from '../../engine/index.ts';
import { snapshotListJson } from '../../report/snapshot-json.ts';
import { snapshotTableLines } from '../../report/snapshot-table.ts';
import { snapshotTimeText } from '../../report/snapshot-time.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { SnapshotsSettings } from '../settings.ts';
import { code, escapeHtml } from '../summary-html.ts';

/** Rows in the summary table; the output and the log have every snapshot. */
const MAX_ROWS = 100;

export async function runSnapshotsMode(settings: SnapshotsSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const selection = await selectSnapshots(repo, settings.ids, settings.filter, { signal });
  for (const w of selection.warnings) core.warning(w);
  const groups = groupForListing(selection.snapshots, parseGroupBy(''), settings.latest);
  const list = groups.flatMap((g) => g.snapshots);
  core.setOutput(Outputs.Snapshots, JSON.stringify(snapshotListJson(groups)));
  core.info(`snapshots in ${location}:`);
  for (const line of snapshotTableLines(groups)) core.info(line);
  const newestFirst = [...list].reverse();
  const withDescription = list.some((s) => s.snapshot.description);
  const withPartial = list.some((s) => s.snapshot.readErrors);
  await core.summary
    .addHeading(`chunkvault: ${formatCount(list.length)} snapshot(s)`, 2)
    .addTable([
      ['ID', 'Time', 'Host', 'Tags', 'Files', 'Size', 'Paths', ...(withPartial ? ['Partial'] : []), ...(withDescription ? ['Description'] : [])].map((h) => ({ data: h, header: true })),
      ...newestFirst.slice(0, MAX_ROWS).map((s) => [
        code(s.id.slice(0, 8)),
        escapeHtml(snapshotTimeText(s.snapshot.time)),
        escapeHtml(s.snapshot.hostname ?? ''),
        escapeHtml((s.snapshot.tags ?? []).join(', ')),
        s.snapshot.summary ? formatCount(s.snapshot.summary.totalFilesProcessed) : '',
        s.snapshot.summary ? formatBytes(s.snapshot.summary.totalBytesProcessed) : '',
        s.snapshot.paths.map(escapeHtml).join('<br>'),
        ...(withPartial ? [s.snapshot.readErrors ? `⚠️ ${formatCount(s.snapshot.readErrors)} not read` : ''] : []),
        ...(withDescription ? [escapeHtml(s.snapshot.description ?? '')] : []),
      ]),
    ])
    .addRaw(list.length > MAX_ROWS ? `Showing the newest ${MAX_ROWS}; the <code>snapshots</code> output and the log have all of them.` : '', true)
    .write();
  await finish();
}

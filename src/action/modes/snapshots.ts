/** Mode `snapshots`: the list, as a JSON output, a table in the log and one in the job summary. */
import * as core from '@actions/core';
import { groupForListing, parseGroupBy, selectSnapshots } from '../../engine/index.ts';
import { snapshotListJson } from '../../report/snapshot-json.ts';
import { snapshotTableLines } from '../../report/snapshot-table.ts';
import { Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { SnapshotsSettings } from '../settings.ts';
import { snapshotsSummary } from '../summary/snapshots.ts';
import { writeSummary } from '../summary/write.ts';

export async function runSnapshotsMode(settings: SnapshotsSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const selection = await selectSnapshots(repo, settings.ids, settings.filter, { signal });
  for (const w of selection.warnings) core.warning(w);
  const groups = groupForListing(selection.snapshots, parseGroupBy(''), settings.latest);
  const list = groups.flatMap((g) => g.snapshots);
  core.setOutput(Outputs.Snapshots, JSON.stringify(snapshotListJson(groups)));
  core.info(`snapshots in ${location}:`);
  for (const line of snapshotTableLines(groups)) core.info(line);
  await writeSummary(snapshotsSummary(list));
  await finish();
}

/** Mode `tag`: add, remove or set tags of snapshots, restic's way (a new snapshot file naming the original). */
import * as core from '@actions/core';
import { ChunkvaultError, ErrorCode, isChunkvaultError, lockRefreshWarning, shortId, tag } from '../../engine/index.ts';
import { Inputs, Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { TagSettings } from '../settings.ts';
import { tagSummary } from '../summary/tag.ts';
import { writeSummary } from '../summary/write.ts';

export async function runTagMode(settings: TagSettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const r = await core.group(`Changing tags in ${location}`, () =>
    tag(repo, {
      set: settings.set,
      add: settings.add,
      remove: settings.remove,
      snapshots: settings.snapshots,
      filter: settings.filter,
      signal,
      lockWaitMs: settings.lockWaitMs,
      onLockRefreshError: (e) => core.warning(lockRefreshWarning(e)),
      onChanged: (c) => core.info(`snapshot ${shortId(c.oldId)} saved as ${shortId(c.newId)} with tags [${c.tags.join(', ')}]`),
    }).catch((e: unknown) => {
      // The options were checked with the inputs: what is left is a snapshot that is not there or ambiguous.
      if (isChunkvaultError(e, ErrorCode.InvalidInput)) throw new ChunkvaultError(ErrorCode.InvalidInput, `input '${Inputs.Snapshot}': ${e.message}`, { cause: e });
      throw e;
    }),
  );
  core.setOutput(Outputs.ChangedSnapshots, JSON.stringify(r.changed.map((c) => ({ old_id: c.oldId, new_id: c.newId, original: c.original, tags: c.tags }))));
  core.setOutput(Outputs.ChangedCount, r.changed.length);
  core.info(r.changed.length === 0 ? 'no snapshots were modified' : `modified tags on ${r.changed.length} snapshot(s); ${r.unchanged.length} already as asked`);
  await writeSummary(tagSummary(r));
  await finish();
  if (r.failed.length > 0) {
    throw new Error(`the tags of ${r.failed.length} snapshot(s) could not be changed: ${r.failed.map((f) => `${shortId(f.id)}: ${f.message}`).join('; ')}`);
  }
}

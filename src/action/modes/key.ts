/** Mode `key`: list, add, remove keys, or change the password (passwd) without re-encrypting anything. */
import * as core from '@actions/core';
import { addKey, changePassword, ChunkvaultError, ErrorCode, errorMessage, isChunkvaultError, listKeys, lockRefreshWarning, removeKey, shortId } from '../../engine/index.ts';
import { keyCreatedText, keyListJson } from '../../report/key-list.ts';
import { Inputs, Outputs } from '../constants.ts';
import { openRepository } from '../open-repository.ts';
import type { KeySettings } from '../settings.ts';
import type { SummaryDocument } from '../summary/document.ts';
import { keyAddedSummary, keyListSummary, keyRemovedSummary, passwordChangedSummary } from '../summary/key.ts';
import { writeSummary } from '../summary/write.ts';

export async function runKeyMode(settings: KeySettings, signal: AbortSignal): Promise<void> {
  const { repo, location, finish } = await openRepository(settings, { signal });
  const lock = { signal, lockWaitMs: settings.lockWaitMs, onLockRefreshError: (e: unknown) => core.warning(lockRefreshWarning(e)) };
  let summary: SummaryDocument;
  switch (settings.command) {
    case 'list': {
      const keys = await listKeys(repo, { ...lock, onUnreadable: (id, e) => core.warning(`key ${shortId(id)} cannot be read: ${errorMessage(e)}`) });
      core.setOutput(Outputs.Keys, keyListJson(keys));
      for (const k of keys) core.info(`${k.current ? '*' : ' '}${shortId(k.id)}  ${k.username}@${k.hostname}  created ${keyCreatedText(k.created)}`);
      summary = keyListSummary(keys, location);
      break;
    }
    case 'add': {
      const id = await addKey(repo, settings.newPassword!, lock);
      core.setOutput(Outputs.KeyId, id);
      core.info(`saved new key as ${shortId(id)}`);
      summary = keyAddedSummary(id, location);
      break;
    }
    case 'passwd': {
      const r = await changePassword(repo, settings.newPassword!, lock);
      core.setOutput(Outputs.KeyId, r.added);
      core.setOutput(Outputs.RemovedKeyId, r.removed);
      core.info(`saved new key as ${shortId(r.added)}; removed key ${shortId(r.removed)}, which the old password opened`);
      summary = passwordChangedSummary(r, location);
      break;
    }
    case 'remove': {
      const id = await removeKey(repo, settings.keyId!, lock).catch((e: unknown) => {
        // A key that is not there, ambiguous, or in use: the input to change is key-id.
        if (isChunkvaultError(e, ErrorCode.InvalidInput)) throw new ChunkvaultError(ErrorCode.InvalidInput, `input '${Inputs.KeyId}': ${e.message}`, { cause: e });
        throw e;
      });
      core.setOutput(Outputs.KeyId, id);
      core.info(`removed key ${shortId(id)}`);
      summary = keyRemovedSummary(id, location);
      break;
    }
  }
  await writeSummary(summary);
  await finish();
}

/**
 * Failures that only the inputs can explain: the engine says which snapshot reference found
 * nothing, and this names the input it came from, so the message says what to change.
 */
import * as core from '@actions/core';
import { isSnapshotNotFound } from '../engine/index.ts';
import type { ActionInputName } from './action-inputs.ts';
import { Inputs } from './constants.ts';

/** Inputs that hold snapshot references, in the order a mode reads them. */
const REFERENCE_INPUTS: readonly ActionInputName[] = [Inputs.Snapshot, Inputs.BaseSnapshot, Inputs.SnapshotIds, Inputs.Parent];
/** The filters that choose `latest`. */
const FILTER_INPUTS: readonly ActionInputName[] = [Inputs.Host, Inputs.Tags, Inputs.Path];

/** The error's message, with the input to change when the error is about a snapshot reference. */
export function messageNamingInput(e: unknown): string | undefined {
  if (!isSnapshotNotFound(e)) return undefined;
  if (e.ref === 'latest') {
    const set = FILTER_INPUTS.filter((name) => core.getInput(name) !== '');
    if (set.length === 0) return `${e.message}: check the input '${Inputs.Repository}', or back up first`;
    return `${e.message}: check the input${set.length > 1 ? 's' : ''} ${set.map((n) => `'${n}'`).join(', ')}`;
  }
  const input = REFERENCE_INPUTS.find((name) => core.getInput(name).split(/[\s,]+/).includes(e.ref));
  return input ? `input '${input}': ${e.message} (mode 'snapshots' lists them)` : e.message;
}

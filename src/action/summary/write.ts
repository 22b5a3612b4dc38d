/**
 * Writes summaries to the job summary, and remembers whether this step wrote one, so that
 * a failure adds its own only where nothing says it yet: the summary is never empty.
 */
import * as core from '@actions/core';
import type { SummaryDocument } from './document.ts';

let written: 'nothing' | 'result' | 'failure' = 'nothing';

/** Appends `doc`; `failure` when it already tells the step failed (a failed dump). */
export async function writeSummary(doc: SummaryDocument, opts: { failure?: boolean } = {}): Promise<void> {
  await core.summary.addRaw(doc.text(), true).write();
  written = opts.failure ? 'failure' : written === 'failure' ? 'failure' : 'result';
}

/** What the step wrote so far: nothing, a result, or an account of its failure. */
export function summaryWritten(): 'nothing' | 'result' | 'failure' {
  return written;
}

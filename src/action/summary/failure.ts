/** The summary of a failed step: what failed, the one-line message, and what to change. */
import { ErrorCode, isChunkvaultError } from '../../engine/index.ts';
import { Inputs } from '../constants.ts';
import { bold, code, join, SummaryDocument, type Content } from './document.ts';

/** The input to change for an error, when its code tells; otherwise where to look. */
export function failureRemedy(e: unknown): Content {
  const input = (name: string, rest: string) => join(['Check the ', code(name), ` input${rest}`]);
  if (!isChunkvaultError(e)) return 'See the log of this step for where it stopped.';
  switch (e.code) {
    case ErrorCode.WrongPassword:
      return input(Inputs.Password, ' (the secret it comes from): no key of the repository opens with it.');
    case ErrorCode.RepositoryNotFound:
      return join(['Check ', code(Inputs.Repository), ' (copy: ', code(Inputs.CopyRepository), '), or set ', code(`${Inputs.Init}: true`), ' to create the repository there.']);
    case ErrorCode.InvalidInput:
    case ErrorCode.Unsupported:
      return 'Change the input the message names.';
    case ErrorCode.SnapshotNotFound:
      return 'Change the snapshot the message names, or its host, tag and path filters.';
    case ErrorCode.Locked:
      return join(['Another run holds the repository: wait for it, raise ', code(Inputs.LockWait), ', or, when that run is gone, run ', code('mode: unlock'), '.']);
    case ErrorCode.Integrity:
      return join(['The repository is damaged: run ', code('mode: check'), ' with ', code(Inputs.ReadDataSubset), ' to see how much.']);
    case ErrorCode.Backend:
      return join(['The storage failed: check ', code(Inputs.Repository), ', its credentials and the network, then run the job again.']);
    case ErrorCode.Dump:
      return input(Inputs.DumpCommand, ': its standard error is in the log.');
    case ErrorCode.Target:
      return input(Inputs.Target, ': the restore could not write there (permissions, free space, an entry in the way).');
    case ErrorCode.Aborted:
      return 'The run was cancelled.';
    default:
      return 'See the log of this step for where it stopped.';
  }
}

/**
 * `message` is the step's failure message (the one naming the input); `secrets` are
 * replaced by *** (the summary is not masked the way the log is).
 */
export function failureSummary(mode: string, e: unknown, failure: string, secrets: readonly string[]): SummaryDocument {
  let message = failure.split('\n')[0]!;
  for (const s of secrets) if (s) message = message.replaceAll(s, '***');
  return new SummaryDocument()
    .heading(`chunkvault: ❌ ${mode || 'the step'} failed`)
    .paragraph(message)
    .paragraph(join([bold('What to change: '), failureRemedy(e)]));
}

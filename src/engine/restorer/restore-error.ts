/**
 * What went wrong in a restore, per file and blob, and the error a failed restore throws:
 * a restore with data missing never returns as if it succeeded.
 */
import { ChunkvaultError, ErrorCode } from '../errors.ts';
import type { Id } from '../format/id.ts';

export interface RestoreProblem {
  /** Snapshot paths of the entries affected ("/srv/app/a.txt"). */
  readonly paths: readonly string[];
  readonly blobId?: Id;
  readonly packId?: Id;
  /** True when the repository's data is missing or corrupt (as opposed to a local I/O error). */
  readonly integrity: boolean;
  readonly message: string;
}

/** One line per problem: the paths, then the blob and pack when known, then why. */
export function describeProblem(p: RestoreProblem): string {
  const shown = p.paths.slice(0, 5).join(', ') + (p.paths.length > 5 ? ` and ${p.paths.length - 5} more` : '');
  const where = [p.blobId ? `blob ${p.blobId}` : '', p.packId ? `pack ${p.packId}` : ''].filter(Boolean).join(' in ');
  return `${shown || '(no path)'}${where ? `: ${where}` : ''}: ${p.message}`;
}

const LISTED = 20;

/** Thrown when any entry could not be restored; `partial` says what was. */
export class RestoreFailedError<R = unknown> extends ChunkvaultError {
  readonly problems: readonly RestoreProblem[];
  readonly partial: R;

  constructor(snapshotId: Id, problems: readonly RestoreProblem[], partial: R) {
    const integrity = problems.some((p) => p.integrity);
    const lines = problems.slice(0, LISTED).map((p) => `  ${describeProblem(p)}`);
    if (problems.length > LISTED) lines.push(`  ... and ${problems.length - LISTED} more`);
    super(
      integrity ? ErrorCode.Integrity : ErrorCode.Target,
      `restore of snapshot ${snapshotId.slice(0, 8)} is incomplete: ${problems.length} problem(s)` +
        `${integrity ? ' (repository data missing or corrupt)' : ''}:\n${lines.join('\n')}`,
    );
    this.name = 'RestoreFailedError';
    this.problems = problems;
    this.partial = partial;
  }
}

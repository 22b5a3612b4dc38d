/**
 * The GitHub Actions workflow run this process belongs to, read from the variables the
 * runner sets for every step (the action's and any CLI call in a `run:` step alike), for
 * lock files: a later run can then tell a lock of a finished run from a live one.
 */
import type { WorkflowRun } from '../format/index.ts';

export function currentWorkflowRun(env: NodeJS.ProcessEnv = process.env): WorkflowRun | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_RUN_ID) return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    id: env.GITHUB_RUN_ID,
    attempt: Number.isSafeInteger(attempt) && attempt > 0 ? attempt : 1,
    job: env.GITHUB_JOB ?? '',
  };
}

/**
 * Whether a lock's run has ended for sure: a re-run of the same workflow run only starts
 * once every job of the earlier attempt has finished.
 */
export function isEarlierAttempt(lockRun: WorkflowRun | undefined, current: WorkflowRun | undefined): boolean {
  return !!lockRun && !!current && lockRun.repository === current.repository && lockRun.id === current.id && lockRun.attempt < current.attempt;
}

/** Restoring snapshots: plan (walk and check the trees), execute (write), verify (read back). */
export { planRestore } from './plan.ts';
export type { PlanOptions, RestorePlan, PlannedEntry, PlannedDir, PlannedFile, PlannedSymlink, PlannedFifo, SkippedEntry, ContentBlob } from './plan.ts';
export { executeRestore } from './execute.ts';
export type { ExecuteOptions, ExecuteResult, RestoreCounters } from './execute.ts';
export { verifyRestoredTree } from './verify.ts';
export type { VerifyOptions, VerifyResult } from './verify.ts';
export { RestoreFailedError, describeProblem } from './restore-error.ts';
export type { RestoreProblem } from './restore-error.ts';
export { compileIncludes, INCLUDE_ALL } from './include.ts';
export type { IncludeMatcher } from './include.ts';
export { checkTarget } from './target.ts';
export { utimeSeconds, nsSetBy } from './times.ts';

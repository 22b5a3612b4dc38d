/** The repository checker: structure checks, read-data, findings traced to files. */
export { checkRepository } from './checker.ts';
export type { CheckerOptions, CheckPhase, CheckProgress, CheckReport } from './checker.ts';
export { ERROR_CODES, HINT_CODES, MAX_PATHS_PER_FINDING } from './findings.ts';
export type { ErrorFindingCode, Finding, FindingCode, HintFindingCode, Severity } from './findings.ts';
export {
  describeSelection,
  MAX_SUBSET_BUCKETS,
  parseReadDataSubset,
  ROLLING_SUBSET_BUCKETS,
  rollingSubset,
  selectPacks,
  validateSelection,
} from './selection.ts';
export type { ReadDataSelection } from './selection.ts';

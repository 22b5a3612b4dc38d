/** Retention: restic 0.14's forget decisions (policy, grouping, keep/remove and why), pure. */
export {
  parsePolicy,
  assertUsablePolicy,
  isEmptyPolicy,
  describePolicy,
  splitTagList,
  ruleName,
  COUNT_RULES,
  WITHIN_RULES,
} from './policy.ts';
export type { PolicyRule, PolicySettingNames, RetentionPolicy, RetentionPolicyInput } from './policy.ts';
export { parseRetentionDuration, formatRetentionDuration, isZeroDuration, MAX_DURATION_PART } from './calendar-duration.ts';
export type { RetentionDuration } from './calendar-duration.ts';
export { recordedOffsetSeconds, retentionEntryFromDocument } from './entry.ts';
export type { RetentionEntry } from './entry.ts';
export {
  parseGroupBy,
  formatGroupBy,
  groupSnapshots,
  groupKeyOf,
  groupKeyJson,
  describeGroupKey,
  DEFAULT_GROUP_BY,
} from './group.ts';
export type { GroupBy, GroupKey, SnapshotGroup } from './group.ts';
export { applyPolicy, planForget, hasTags } from './apply.ts';
export type { ApplyPolicyOptions, PlanForgetOptions, ForgetPlan, ForgetGroup, PolicyResult, KeepReason, RetentionCounters } from './apply.ts';
export { forgetJson, resticSnapshotJson } from './forget-json.ts';
export type { ForgetGroupJson, SnapshotJsonFunction } from './forget-json.ts';

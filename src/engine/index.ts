/**
 * The engine's public API: everything the action, the CLI, the backends and the reports
 * may use. Nothing outside src/engine imports another engine file (a unit test enforces
 * it), so what is not exported here can change without touching the shells.
 */

// Opening, creating and reading a repository.
export { Repository } from './repository/repository.ts';
export type { InitOptions, OpenOptions, SnapshotEntry } from './repository/repository.ts';
export { initCrypto } from './crypto/index.ts';
export { PROGRAM_VERSION } from './format/program-version.ts';

// The commands, with their options and results. Every long one takes OperationOptions.
export type { OperationOptions } from './operation.ts';
export { backup } from './commands/backup.ts';
export { contentCacheFile } from './archiver/content-cache.ts';
export type { BackupOptions, BackupPhase, BackupProgress, BackupResult, BackupStats } from './commands/backup.ts';
export { restore } from './commands/restore.ts';
export type { RestoreOptions, RestorePhase, RestoreProgress, RestoreResult } from './commands/restore.ts';
export { drill } from './commands/drill.ts';
export type { CommandOutcome, DrillOptions, DrillReport, DrillStep, DrillStepId, DrillStepStatus } from './commands/drill.ts';
export { check } from './commands/check.ts';
export type { CheckOptions } from './commands/check.ts';
export { forget } from './commands/forget.ts';
export type { ForgetOptions, ForgetResult } from './commands/forget.ts';
export { prune } from './commands/prune.ts';
export type { PruneOptions, PrunePhase, PruneProgress, PruneResult } from './commands/prune.ts';
export { unlock } from './commands/unlock.ts';
export type { UnlockOptions, UnlockResult } from './commands/unlock.ts';
export { diff } from './commands/diff.ts';
export type { DiffChange, DiffCounts, DiffOptions, DiffProgress, DiffResult } from './commands/diff.ts';
export { parseStatsMode, stats, STATS_MODES } from './commands/stats.ts';
export type { StatsMode, StatsOptions, StatsProgress, StatsResult } from './commands/stats.ts';
export { addKey, changePassword, listKeys, removeKey } from './commands/key.ts';
export type { AddKeyOptions, ChangePasswordResult, KeyInfo } from './commands/key.ts';
export { checkTagOptions, flattenTagLists, tag } from './commands/tag.ts';
export type { TagChange, TagOptions, TagResult } from './commands/tag.ts';
export { copy, similarSnapshots } from './commands/copy.ts';
export type { CopiedSnapshot, CopyOptions, CopyPhase, CopyProgress, CopyResult, CopyStats } from './commands/copy.ts';
export { checkSnapshotRef, findSnapshot, isSnapshotNotFound, listSnapshots, matchesFilter, SnapshotNotFoundError } from './commands/find-snapshot.ts';
export type { SnapshotFilter } from './commands/find-snapshot.ts';
export { groupForListing, selectSnapshots } from './commands/select-snapshots.ts';
export type { SnapshotListGroup, SnapshotSelection } from './commands/select-snapshots.ts';
export { dumpFromSnapshot, DUMP_ARCHIVE_FORMATS } from './commands/dump-from-snapshot.ts';
export type { DumpArchiveFormat, DumpFromSnapshotOptions, DumpFromSnapshotResult } from './commands/dump-from-snapshot.ts';
export { isOutputGone } from './browse/output-sink.ts';
export { ls } from './commands/ls.ts';
export type { LsOptions } from './commands/ls.ts';
export { find } from './commands/find.ts';
export type { FindOptions, FindResult } from './commands/find.ts';
export { parseFindTime } from './browse/find-time.ts';
export { describeHolder, lockRefreshWarning } from './repository/lock.ts';
export type { LockHolder } from './repository/lock.ts';

// Parsers for the options users write, shared by the action's inputs and the CLI's flags.
export { parseCompressionMode, COMPRESSION_MODES } from './compress/zstd.ts';
export type { CompressionMode } from './compress/zstd.ts';
export { parseDuration } from './support/duration.ts';
export { parsePathPatterns } from './filter/patterns.ts';
export type { PathPatterns } from './filter/patterns.ts';
export { patternFileLines } from './filter/pattern-file.ts';
export { goGlob } from './filter/go-glob.ts';
export { DEFAULT_MAX_UNUSED, parseMaxUnused, parseSize } from './prune/max-unused.ts';
export { PRUNE_STEPS } from './prune/steps.ts';
export type { PruneStep } from './prune/steps.ts';
export {
  assertUsablePolicy,
  DEFAULT_GROUP_BY,
  describeGroupKey,
  describePolicy,
  forgetJson,
  resticSnapshotJson,
  parseGroupBy,
  parsePolicy,
  ruleName,
} from './retention/index.ts';
export type { ForgetGroup, GroupBy, PolicyRule, PolicySettingNames, RetentionPolicy } from './retention/index.ts';
export { describeSelection, parseReadDataSubset } from './checker/index.ts';
export type { CheckPhase, CheckProgress, CheckReport, Finding, ReadDataSelection } from './checker/index.ts';
export { checkDumpFilename, isDumpError, DumpError } from './dump/index.ts';
export type { DumpEnd, DumpFailure, DumpSource, RunningDump } from './dump/index.ts';
export { describeProblem, RestoreFailedError } from './restorer/index.ts';
export type { RestoreProblem } from './restorer/index.ts';

// Errors with stable codes, and the helpers every layer uses with them.
export { ChunkvaultError, ErrorCode, errorMessage, invalidInput, isChunkvaultError, anySignal, throwIfAborted } from './errors.ts';

// The storage contract that src/backends implements, and what implementations share.
export { FILE_TYPES, payloadParts } from './storage/backend.ts';
export type { Backend, CallOptions, FileInfo, FileType, Handle, Payload } from './storage/backend.ts';
export { BackendError, exists, isDenied, isNotFound, isTransient } from './storage/errors.ts';
export type { BackendErrorKind } from './storage/errors.ts';
export { BackendDecorator } from './storage/decorator.ts';
export { DIR_OF, relativePath, repositoryDirectories } from './storage/layout.ts';

// Values of the repository format that shells display or validate.
export { formatTime, formatTimeInOffset, goModeString, goTypeBits, parseTime } from './format/index.ts';
export type { TreeNode } from './format/index.ts';
export { goJsonString } from './format/json.ts';
export { idOf, isId, shortId } from './format/id.ts';
export type { Id } from './format/id.ts';
export { concatBytes } from './support/bytes.ts';
export { Semaphore } from './support/concurrency.ts';

// Figures written for people, in the engine's own messages and in every report.
export { formatBytes, formatCount, formatDuration, formatRate, significant } from './support/human.ts';

/** The repository's serialisable documents: trees, snapshots, index, lock and config files. */
export { quoteName, unquoteName, compareNames, nameText } from './go-quote.ts';
export { goJsonString, parseJson } from './json.ts';
export { formatTime, formatTimeInOffset, parseTime, clampTime, MIN_TIME_NS, MAX_TIME_NS, GO_ZERO_TIME_NS } from './time.ts';
export { GoMode, UnixMode, goModeFromUnix, goModeString, goTypeBits, unixPermFromGoMode, unixModeFromGoMode, nodeTypeFromUnix } from './mode.ts';
export { NODE_TYPES, serializeTree, parseTree } from './node.ts';
export type { NodeType, TreeNode, ExtendedAttribute } from './node.ts';
export { serializeSnapshot, parseSnapshot } from './snapshot.ts';
export type { Snapshot, SnapshotSummary } from './snapshot.ts';
export { serializeIndex, parseIndex } from './index-file.ts';
export type { IndexFile, IndexPack, IndexBlob } from './index-file.ts';
export { serializeLock, parseLock } from './lock-file.ts';
export type { LockInfo, WorkflowRun } from './lock-file.ts';
export { serializeConfig, parseConfig, SUPPORTED_REPO_VERSIONS } from './config-file.ts';
export type { RepoConfig } from './config-file.ts';
export { isGoPrint } from './unicode-print.ts';
export { retagSnapshotJson } from './snapshot-retag.ts';

/** Input and output names: part of the action's contract, spelled only here. */

export const Inputs = {
  Mode: 'mode',
  Repository: 'repository',
  Password: 'password',
  Source: 'source',
  Exclude: 'exclude',
  Init: 'init',
  Host: 'host',
  Tags: 'tags',
  Compression: 'compression',
  FailOnError: 'fail-on-error',
} as const;

export const Outputs = {
  SnapshotId: 'snapshot-id',
  SnapshotShortId: 'snapshot-short-id',
  ParentId: 'parent-id',
  FilesNew: 'files-new',
  FilesChanged: 'files-changed',
  FilesUnmodified: 'files-unmodified',
  BytesProcessed: 'bytes-processed',
  BytesAdded: 'bytes-added',
  DurationMs: 'duration-ms',
  ErrorCount: 'error-count',
} as const;

export const MODES = ['backup', 'restore', 'drill', 'forget', 'prune', 'check', 'snapshots', 'key'] as const;
export type Mode = (typeof MODES)[number];

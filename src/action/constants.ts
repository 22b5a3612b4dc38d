/** Input and output names: part of the action's contract, spelled only here. */

export const Inputs = {
  Mode: 'mode',
  Repository: 'repository',
  Password: 'password',
  // backup
  Source: 'source',
  Exclude: 'exclude',
  Init: 'init',
  Host: 'host',
  Tags: 'tags',
  Compression: 'compression',
  FailOnError: 'fail-on-error',
  // choosing a snapshot (restore, drill, snapshots)
  Snapshot: 'snapshot',
  Path: 'path',
  // restore and drill
  Target: 'target',
  Include: 'include',
  Overwrite: 'overwrite',
  MaxSnapshotAge: 'max-snapshot-age',
  MaxRto: 'max-rto',
  DrillCommand: 'drill-command',
  KeepRestore: 'keep-restore',
  // check
  ReadDataSubset: 'read-data-subset',
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
  FilesRestored: 'files-restored',
  BytesRestored: 'bytes-restored',
  DrillStatus: 'drill-status',
  RtoSeconds: 'rto-seconds',
  FilesVerified: 'files-verified',
  BytesVerified: 'bytes-verified',
  SnapshotAgeSeconds: 'snapshot-age-seconds',
  RestoreDir: 'restore-dir',
  Errors: 'errors',
  PacksRead: 'packs-read',
  BytesRead: 'bytes-read',
  Snapshots: 'snapshots',
} as const;

export const MODES = ['backup', 'restore', 'drill', 'forget', 'prune', 'check', 'snapshots', 'key'] as const;
export type Mode = (typeof MODES)[number];

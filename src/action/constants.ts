/**
 * Input and output names as the code spells them. action.yml defines them: a name missing
 * there fails the type check, and test/unit/action-yml.test.ts checks the other direction.
 */
import type { ActionInputName, ActionOutputName } from './action-inputs.ts';

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
  DumpCommand: 'dump-command',
  DumpFilename: 'dump-filename',
  AllowEmptyDump: 'allow-empty-dump',
  Description: 'description',
  Provenance: 'provenance',
  Parent: 'parent',
  // snapshots and forget by name
  SnapshotIds: 'snapshot-ids',
  Latest: 'latest',
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
  // diff and stats
  BaseSnapshot: 'base-snapshot',
  DiffMetadata: 'diff-metadata',
  StatsMode: 'stats-mode',
  // ls
  LsPath: 'ls-path',
  // check
  ReadDataSubset: 'read-data-subset',
  // forget: the retention policy, restic's rules
  KeepLast: 'keep-last',
  KeepHourly: 'keep-hourly',
  KeepDaily: 'keep-daily',
  KeepWeekly: 'keep-weekly',
  KeepMonthly: 'keep-monthly',
  KeepYearly: 'keep-yearly',
  KeepWithin: 'keep-within',
  KeepTag: 'keep-tag',
  GroupBy: 'group-by',
  Prune: 'prune',
  // forget and prune
  DryRun: 'dry-run',
  MaxUnused: 'max-unused',
  MaxRepackSize: 'max-repack-size',
  // tag
  AddTags: 'add-tags',
  RemoveTags: 'remove-tags',
  SetTags: 'set-tags',
  // key
  KeyCommand: 'key-command',
  NewPassword: 'new-password',
  KeyId: 'key-id',
  // unlock
  RemoveAll: 'remove-all',
  // every mode that locks the repository
  LockWait: 'lock-wait',
  // copy: the destination
  CopyRepository: 'copy-repository',
  CopyPassword: 'copy-password',
  // remote repositories (every mode)
  Concurrency: 'concurrency',
  CaFile: 'ca-file',
  MetadataCache: 'metadata-cache',
  AwsAccessKeyId: 'aws-access-key-id',
  AwsSecretAccessKey: 'aws-secret-access-key',
  AwsSessionToken: 'aws-session-token',
  AwsRegion: 'aws-region',
  S3PathStyle: 's3-path-style',
} as const satisfies Record<string, ActionInputName>;

export const Outputs = {
  SnapshotId: 'snapshot-id',
  SnapshotShortId: 'snapshot-short-id',
  ParentId: 'parent-id',
  FilesNew: 'files-new',
  FilesChanged: 'files-changed',
  FilesUnmodified: 'files-unmodified',
  BytesProcessed: 'bytes-processed',
  BytesAdded: 'bytes-added',
  DataAdded: 'data-added',
  DedupRatio: 'dedup-ratio',
  CompressionRatio: 'compression-ratio',
  DurationMs: 'duration-ms',
  ErrorCount: 'error-count',
  DumpBytes: 'dump-bytes',
  FilesRestored: 'files-restored',
  BytesRestored: 'bytes-restored',
  DrillStatus: 'drill-status',
  RtoSeconds: 'rto-seconds',
  FilesVerified: 'files-verified',
  BytesVerified: 'bytes-verified',
  SnapshotAgeSeconds: 'snapshot-age-seconds',
  SnapshotReadErrors: 'snapshot-read-errors',
  RestoreDir: 'restore-dir',
  Errors: 'errors',
  PacksRead: 'packs-read',
  BytesRead: 'bytes-read',
  Snapshots: 'snapshots',
  RemovedSnapshots: 'removed-snapshots',
  KeptSnapshots: 'kept-snapshots',
  RemovedCount: 'removed-count',
  PacksDeleted: 'packs-deleted',
  PacksRepacked: 'packs-repacked',
  BytesFreed: 'bytes-freed',
  FilesAdded: 'files-added',
  FilesRemoved: 'files-removed',
  DiffStatistics: 'diff-statistics',
  TotalSize: 'total-size',
  TotalFileCount: 'total-file-count',
  Stats: 'stats',
  KeyId: 'key-id',
  RemovedKeyId: 'removed-key-id',
  Keys: 'keys',
  ChangedSnapshots: 'changed-snapshots',
  ChangedCount: 'changed-count',
  RemovedLocks: 'removed-locks',
  KeptLocks: 'kept-locks',
  SnapshotsCopied: 'snapshots-copied',
  SnapshotsSkipped: 'snapshots-skipped',
} as const satisfies Record<string, ActionOutputName>;

export const MODES = ['backup', 'restore', 'drill', 'forget', 'prune', 'check', 'snapshots', 'ls', 'diff', 'stats', 'copy', 'key', 'tag', 'unlock'] as const;
export type Mode = (typeof MODES)[number];

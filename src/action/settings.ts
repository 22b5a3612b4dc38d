/** Everything the action was asked to do, read and validated once from the inputs. */
import type { CompressionMode, GroupBy, ReadDataSelection, RetentionPolicy, SnapshotFilter, StatsMode } from '../engine/index.ts';
import type { S3Credentials } from '../backends/open-storage.ts';
import type { RepositoryLocation } from '../backends/repository-location.ts';

/**
 * Settings for remote repositories, from the inputs. All optional: absent ones take
 * their defaults.
 */
export interface RemoteSettings {
  /** Parallel requests to a remote repository (input `concurrency`). @default 5 */
  concurrency?: number;
  /** A PEM file of CA certificates for a server with self-signed TLS (input `ca-file`), absolute. */
  caFile?: string;
  /** S3 credentials and addressing (inputs `aws-*`, `s3-path-style`); AWS_* variables fill the gaps. */
  s3?: S3Credentials;
  /** Keep a remote repository's index and snapshot files between runs (input `metadata-cache`). @default true */
  metadataCache?: boolean;
  /** The cache directory on the runner; the Actions cache stores `<dir>/<repo id>`. @default $RUNNER_TEMP/chunkvault-metadata-cache */
  metadataCacheDir?: string;
}

export interface CommonSettings extends RemoteSettings {
  /**
   * The repository location, parsed once from the input (a local path resolved against
   * the workspace); its `display` is what logs show.
   */
  repository: RepositoryLocation;
  /** The repository password; masked in logs as soon as it is read. */
  password: string;
  /** GITHUB_WORKSPACE (or the working directory outside Actions). */
  workspace: string;
  /** How long to wait for another process's lock (a prune's, a backup's) before failing. */
  lockWaitMs: number;
}

export interface BackupSettings extends CommonSettings {
  mode: 'backup';
  /** Path and glob lines, as written (may be empty when there is a dump). */
  sources: string[];
  /** A dump command whose standard output becomes one file of the snapshot. */
  dump?: DumpSettings;
  /** Exclude patterns, restic's meaning. */
  excludes: string[];
  /** Create the repository when it does not exist. */
  init: boolean;
  /** Hostname recorded in the snapshot: stable across runs, so the parent is found. */
  host: string;
  tags: string[];
  compression: CompressionMode;
  /** Fail the step when some source files could not be read (the snapshot is still written). */
  failOnError: boolean;
  /** Stored in the snapshot (input `description`, else the run's provenance description). */
  description?: string;
  /** The parent snapshot: an id, a prefix or `latest`; undefined: the default choice. */
  parent?: string;
}

export interface DumpSettings {
  /** Shell command (bash -e -o pipefail) writing the dump to standard output. */
  command: string;
  /** The file name in the snapshot: `/<filename>`. */
  filename: string;
  /** Accept a dump of zero bytes. */
  allowEmpty: boolean;
}

/** How restore, drill and snapshots choose snapshots. */
export interface SnapshotChoice {
  /** 'latest', a full id or a unique prefix. */
  snapshot: string;
  /** Only the inputs given: no host filter unless `host` is set. */
  filter: SnapshotFilter;
}

export interface RestoreSettings extends CommonSettings, SnapshotChoice {
  mode: 'restore';
  /** Absolute path of the directory to restore into. */
  target: string;
  include: string[];
  overwrite: boolean;
}

export interface DrillSettings extends CommonSettings, SnapshotChoice {
  mode: 'drill';
  include: string[];
  maxSnapshotAgeMs?: number;
  maxRtoMs?: number;
  drillCommand?: string;
  keepRestore: boolean;
  /** RUNNER_TEMP: where the scratch directory is made. */
  scratchParent: string;
}

export interface CheckSettings extends CommonSettings {
  mode: 'check';
  /** Which packs to read and verify; undefined checks the structure only. */
  readData?: ReadDataSelection;
}

export interface LsSettings extends CommonSettings, SnapshotChoice {
  mode: 'ls';
  /** Absolute directories in the snapshot to list; empty lists everything. */
  dirs: string[];
}

export interface SnapshotsSettings extends CommonSettings {
  mode: 'snapshots';
  filter: SnapshotFilter;
  /** Only these (ids, prefixes, `latest`); empty: all that pass the filter. */
  ids: string[];
  /** The newest N of each host and set of paths; 0: all. */
  latest: number;
}

/** How prune chooses what to repack (restic's --max-unused, --max-repack-size). */
export interface PruneTuning {
  maxUnused: string;
  maxRepackSize?: string;
}

export interface ForgetSettings extends CommonSettings {
  mode: 'forget';
  /** Empty when `ids` are given: named snapshots are removed without a policy. */
  policy: RetentionPolicy;
  /** Snapshots to remove by name (ids, prefixes, `latest`); empty: the policy decides. */
  ids: string[];
  groupBy: GroupBy;
  /** Only snapshots matching host, tags and path are considered (none filtered when empty). */
  filter: SnapshotFilter;
  dryRun: boolean;
  /** Prune right after forgetting, under the same lock. */
  prune: boolean;
  pruneTuning: PruneTuning;
}

export interface PruneSettings extends CommonSettings {
  mode: 'prune';
  dryRun: boolean;
  pruneTuning: PruneTuning;
}

export interface DiffSettings extends CommonSettings, SnapshotChoice {
  mode: 'diff';
  /** The snapshot to compare from; undefined: the parent of `snapshot`, else the newest older one that passes `filter`. */
  baseSnapshot?: string;
  /** Also report metadata changes ("U"). */
  metadata: boolean;
}

export interface StatsSettings extends CommonSettings, SnapshotChoice {
  mode: 'stats';
  /** restic's counting mode. */
  statsMode: StatsMode;
}

export interface TagSettings extends CommonSettings {
  mode: 'tag';
  /** Snapshot ids, prefixes or `latest`; empty: every snapshot that passes the filter (input `snapshot: all`). */
  snapshots: string[];
  filter: SnapshotFilter;
  /** Replaces every tag; undefined when `set-tags` is empty. */
  set?: string[];
  add: string[];
  remove: string[];
}

export type KeyCommand = 'list' | 'add' | 'remove' | 'passwd';

export interface KeySettings extends CommonSettings {
  mode: 'key';
  command: KeyCommand;
  /** For add and passwd; masked as soon as it is read. */
  newPassword?: string;
  /** For remove: a full id or a unique prefix. */
  keyId?: string;
}

export interface UnlockSettings extends CommonSettings {
  mode: 'unlock';
  /** Remove every lock, not only stale ones (restic's --remove-all). */
  removeAll: boolean;
}

export type ActionSettings =
  | BackupSettings
  | RestoreSettings
  | DrillSettings
  | CheckSettings
  | SnapshotsSettings
  | ForgetSettings
  | PruneSettings
  | DiffSettings
  | StatsSettings
  | TagSettings
  | KeySettings
  | UnlockSettings
  | CopySettings
  | LsSettings;

export interface CopySettings extends CommonSettings {
  mode: 'copy';
  /** The destination (input `copy-repository`); `repository` is the source. */
  destination: RepositoryLocation;
  /** The destination's password (input `copy-password`), masked as soon as it is read. */
  destinationPassword: string;
  /** Create the destination, with the source's chunker parameters, when it does not exist. */
  init: boolean;
  /** Only source snapshots matching host, tags and path are copied. */
  filter: SnapshotFilter;
}


/** Everything the action was asked to do, read and validated once from the inputs. */
import type { CompressionMode } from '../engine/compress/zstd.ts';
import type { Mode } from './constants.ts';

export interface CommonSettings {
  mode: Mode;
  /** Repository location as given (local path, resolved against the workspace). */
  repository: string;
  /** The repository password; masked in logs as soon as it is read. */
  password: string;
  /** GITHUB_WORKSPACE (or the working directory outside Actions). */
  workspace: string;
}

export interface BackupSettings extends CommonSettings {
  mode: 'backup';
  /** Path and glob lines, as written. */
  sources: string[];
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
}

export type ActionSettings = BackupSettings;

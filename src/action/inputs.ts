/**
 * The only reader of the action's inputs: applies defaults, validates, masks secrets
 * before anything is logged, and returns a typed settings object.
 */
import * as core from '@actions/core';
import { parseCompressionMode } from '../engine/compress/zstd.ts';
import { ChunkvaultError, ErrorCode } from '../engine/errors.ts';
import { Inputs, MODES, type Mode } from './constants.ts';
import type { ActionSettings } from './settings.ts';

export function getSettings(env: NodeJS.ProcessEnv = process.env): ActionSettings {
  // Not trimmed: a password is used byte for byte, as restic uses RESTIC_PASSWORD.
  const password = core.getInput(Inputs.Password, { trimWhitespace: false });
  if (password) core.setSecret(password);
  const mode = parseMode(core.getInput(Inputs.Mode) || 'backup');
  const repository = core.getInput(Inputs.Repository);
  if (!repository) throw invalid(`input '${Inputs.Repository}' is required: a directory path for a local repository`);
  if (!password) throw invalid(`input '${Inputs.Password}' is required: pass it from a secret, e.g. \${{ secrets.BACKUP_PASSWORD }}`);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  if (mode !== 'backup') {
    throw new ChunkvaultError(ErrorCode.Unsupported, `mode '${mode}' is not available in this version; use mode 'backup'`);
  }
  const settings: ActionSettings = {
    mode,
    repository,
    password,
    workspace,
    sources: lines(core.getInput(Inputs.Source)),
    excludes: lines(core.getInput(Inputs.Exclude)),
    init: booleanInput(Inputs.Init, true),
    host: core.getInput(Inputs.Host) || defaultHost(env),
    tags: core
      .getInput(Inputs.Tags)
      .split(/[,\n]/)
      .map((t) => t.trim())
      .filter(Boolean),
    compression: parseCompressionMode(core.getInput(Inputs.Compression) || 'auto'),
    failOnError: booleanInput(Inputs.FailOnError, true),
  };
  if (settings.sources.length === 0) throw invalid(`input '${Inputs.Source}' is required for a backup: paths or glob patterns, one per line`);
  core.debug(`settings: ${JSON.stringify({ ...settings, password: '***' })}`);
  return settings;
}

/**
 * The default snapshot host: the repository's name, not the runner's hostname, which is
 * random on hosted runners and would defeat parent-snapshot detection on every run.
 */
export function defaultHost(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_REPOSITORY || 'github-actions';
}

function parseMode(value: string): Mode {
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  throw invalid(`input '${Inputs.Mode}' must be one of ${MODES.join(', ')}; got '${value}'`);
}

function booleanInput(name: string, fallback: boolean): boolean {
  if (core.getInput(name) === '') return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw invalid(`input '${name}' must be true or false; got '${core.getInput(name)}'`);
  }
}

function lines(value: string): string[] {
  return value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

function invalid(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, message);
}

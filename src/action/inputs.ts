/**
 * The only reader of the action's inputs: applies defaults, validates, masks secrets
 * before anything is logged, and returns typed settings for the chosen mode.
 */
import * as core from '@actions/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertUsablePolicy, checkDumpFilename, ChunkvaultError, DEFAULT_GROUP_BY, DEFAULT_MAX_UNUSED, ErrorCode, parseCompressionMode, parseDuration, parseGroupBy, parseMaxUnused, parsePolicy, parseReadDataSubset, parseSize, type ReadDataSelection, type RetentionPolicy, type SnapshotFilter } from '../engine/index.ts';
import { Inputs, MODES, type Mode } from './constants.ts';
import { redactLocation } from '../backends/location.ts';
import { maskLocationPassword, type RemoteSettings } from './open-repository.ts';
import type { ActionSettings, CommonSettings, DumpSettings, PruneTuning, SnapshotChoice } from './settings.ts';

export function getSettings(env: NodeJS.ProcessEnv = process.env): ActionSettings {
  // Not trimmed: a password is used byte for byte, as restic uses RESTIC_PASSWORD.
  const password = core.getInput(Inputs.Password, { trimWhitespace: false });
  if (password) core.setSecret(password);
  const mode = parseMode(core.getInput(Inputs.Mode) || 'backup');
  const repository = core.getInput(Inputs.Repository);
  if (!repository) throw invalid(`input '${Inputs.Repository}' is required: a directory path, rest:http(s)://host:port/path or s3:host/bucket`);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  maskLocationPassword(repository, workspace);
  if (password.trim() === '') throw invalid(`input '${Inputs.Password}' is required: pass it from a secret, e.g. \${{ secrets.BACKUP_PASSWORD }}`);
  const common: CommonSettings = {
    repository,
    password,
    workspace,
    lockWaitMs: parseDuration(core.getInput(Inputs.LockWait) || DEFAULT_LOCK_WAIT, `input '${Inputs.LockWait}'`),
    ...remoteSettings(workspace),
  };
  const settings = modeSettings(mode, common, env);
  warnAboutUnusedInputs(mode);
  core.debug(`settings: ${JSON.stringify({ ...settings, repository: redactLocation(repository), password: '***', s3: settings.s3 ? '***' : undefined })}`);
  return settings;
}

function modeSettings(mode: Mode, common: CommonSettings, env: NodeJS.ProcessEnv): ActionSettings {
  switch (mode) {
    case 'backup': {
      const sources = lines(core.getInput(Inputs.Source));
      const dump = dumpSettings();
      if (sources.length === 0 && !dump) {
        throw invalid(`input '${Inputs.Source}' or '${Inputs.DumpCommand}' is required for a backup: paths or glob patterns, one per line, or a command writing a dump`);
      }
      return {
        mode,
        ...common,
        sources,
        ...(dump ? { dump } : {}),
        excludes: lines(core.getInput(Inputs.Exclude)),
        init: booleanInput(Inputs.Init, true),
        host: core.getInput(Inputs.Host) || defaultHost(env),
        tags: list(core.getInput(Inputs.Tags)),
        compression: parseCompressionMode(core.getInput(Inputs.Compression) || 'auto'),
        failOnError: booleanInput(Inputs.FailOnError, true),
      };
    }
    case 'restore': {
      const target = core.getInput(Inputs.Target);
      if (!target) throw invalid(`input '${Inputs.Target}' is required for a restore: an empty or absent directory`);
      return {
        mode,
        ...common,
        ...snapshotChoice(),
        target: path.resolve(common.workspace, target),
        include: lines(core.getInput(Inputs.Include)),
        overwrite: booleanInput(Inputs.Overwrite, false),
      };
    }
    case 'drill':
      return {
        mode,
        ...common,
        ...snapshotChoice(),
        include: lines(core.getInput(Inputs.Include)),
        maxSnapshotAgeMs: optionalDuration(Inputs.MaxSnapshotAge),
        maxRtoMs: optionalDuration(Inputs.MaxRto),
        drillCommand: core.getInput(Inputs.DrillCommand) || undefined,
        keepRestore: booleanInput(Inputs.KeepRestore, false),
        scratchParent: env.RUNNER_TEMP || os.tmpdir(),
      };
    case 'check':
      return { mode, ...common, readData: readDataInput(env) };
    case 'snapshots':
      return { mode, ...common, filter: snapshotFilter() };
    case 'forget':
      return {
        mode,
        ...common,
        policy: retentionPolicy(),
        groupBy: parseGroupBy(core.getInput(Inputs.GroupBy) || DEFAULT_GROUP_BY),
        filter: snapshotFilter(),
        dryRun: booleanInput(Inputs.DryRun, false),
        prune: booleanInput(Inputs.Prune, false),
        pruneTuning: pruneTuning(),
      };
    case 'prune':
      return { mode, ...common, dryRun: booleanInput(Inputs.DryRun, false), pruneTuning: pruneTuning() };
    default:
      throw new ChunkvaultError(
        ErrorCode.Unsupported,
        `mode '${mode}' is not available in this version; available: backup, restore, drill, forget, prune, check, snapshots`,
      );
  }
}

/** The dump's file name when `dump-filename` is not set. */
const DEFAULT_DUMP_FILENAME = 'dump.sql';

/** Inputs every mode reads (locking, remote repositories). */
const COMMON_INPUTS: ReadonlySet<string> = new Set([
  Inputs.LockWait,
  Inputs.Concurrency,
  Inputs.CaFile,
  Inputs.MetadataCache,
  Inputs.AwsAccessKeyId,
  Inputs.AwsSecretAccessKey,
  Inputs.AwsSessionToken,
  Inputs.AwsRegion,
  Inputs.S3PathStyle,
]);

/** Remote repository settings: parallel requests, TLS, the metadata cache, S3 credentials (masked). */
function remoteSettings(workspace: string): RemoteSettings {
  const out: RemoteSettings = {};
  const concurrency = core.getInput(Inputs.Concurrency);
  if (concurrency) {
    const n = Number(concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw invalid(`input '${Inputs.Concurrency}' must be a whole number from 1 to 64; got '${concurrency}'`);
    out.concurrency = n;
  }
  const caFile = core.getInput(Inputs.CaFile);
  if (caFile) out.caFile = path.resolve(workspace, caFile);
  out.metadataCache = booleanInput(Inputs.MetadataCache, true);
  const secret = (name: string) => {
    const v = core.getInput(name);
    if (v) core.setSecret(v);
    return v || undefined;
  };
  const s3 = {
    accessKeyId: secret(Inputs.AwsAccessKeyId),
    secretAccessKey: secret(Inputs.AwsSecretAccessKey),
    sessionToken: secret(Inputs.AwsSessionToken),
    region: core.getInput(Inputs.AwsRegion) || undefined,
    pathStyle: core.getInput(Inputs.S3PathStyle) === '' ? undefined : booleanInput(Inputs.S3PathStyle, false),
  };
  if (Object.values(s3).some((v) => v !== undefined)) out.s3 = Object.fromEntries(Object.entries(s3).filter(([, v]) => v !== undefined));
  return out;
}

/** The retention policy's inputs (forget). */
const RETENTION_INPUTS = [
  Inputs.KeepLast,
  Inputs.KeepHourly,
  Inputs.KeepDaily,
  Inputs.KeepWeekly,
  Inputs.KeepMonthly,
  Inputs.KeepYearly,
  Inputs.KeepWithin,
  Inputs.KeepTag,
];

/** Inputs each mode reads, besides mode, repository and password. */
const MODE_INPUTS: Readonly<Partial<Record<Mode, readonly string[]>>> = {
  backup: [Inputs.Source, Inputs.Exclude, Inputs.Init, Inputs.Host, Inputs.Tags, Inputs.Compression, Inputs.FailOnError, Inputs.DumpCommand, Inputs.DumpFilename, Inputs.AllowEmptyDump],
  restore: [Inputs.Snapshot, Inputs.Host, Inputs.Tags, Inputs.Path, Inputs.Target, Inputs.Include, Inputs.Overwrite],
  drill: [Inputs.Snapshot, Inputs.Host, Inputs.Tags, Inputs.Path, Inputs.Include, Inputs.MaxSnapshotAge, Inputs.MaxRto, Inputs.DrillCommand, Inputs.KeepRestore],
  check: [Inputs.ReadDataSubset],
  snapshots: [Inputs.Host, Inputs.Tags, Inputs.Path],
  forget: [
    ...RETENTION_INPUTS,
    Inputs.GroupBy,
    Inputs.Host,
    Inputs.Tags,
    Inputs.Path,
    Inputs.DryRun,
    Inputs.Prune,
    Inputs.MaxUnused,
    Inputs.MaxRepackSize,
  ],
  prune: [Inputs.DryRun, Inputs.MaxUnused, Inputs.MaxRepackSize],
};

/** A backup waits this long for a prune's lock (and a prune for backups) unless told otherwise. */
const DEFAULT_LOCK_WAIT = '5m';

/** action.yml's defaults: the runner passes them even when a workflow does not set them. */
const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  [Inputs.Init]: 'true',
  [Inputs.Compression]: 'auto',
  [Inputs.FailOnError]: 'true',
  [Inputs.DumpFilename]: DEFAULT_DUMP_FILENAME,
  [Inputs.AllowEmptyDump]: 'false',
  [Inputs.Snapshot]: 'latest',
  [Inputs.Overwrite]: 'false',
  [Inputs.KeepRestore]: 'false',
  [Inputs.GroupBy]: DEFAULT_GROUP_BY,
  [Inputs.DryRun]: 'false',
  [Inputs.Prune]: 'false',
  [Inputs.MaxUnused]: DEFAULT_MAX_UNUSED,
  [Inputs.LockWait]: DEFAULT_LOCK_WAIT,
  [Inputs.MetadataCache]: 'true',
};

/** A set input that the mode does not read is most likely a mistake: say so. */
function warnAboutUnusedInputs(mode: Mode): void {
  const used = new Set(MODE_INPUTS[mode] ?? []);
  for (const name of Object.values(Inputs)) {
    if (name === Inputs.Mode || name === Inputs.Repository || name === Inputs.Password || COMMON_INPUTS.has(name) || used.has(name)) continue;
    const value = core.getInput(name);
    if (value !== '' && value !== INPUT_DEFAULTS[name]) core.warning(`input '${name}' is not used in mode '${mode}' and is ignored`);
  }
}

/** The keep-* inputs as a policy; an empty policy is refused (forget never removes everything by accident). */
function retentionPolicy(): RetentionPolicy {
  const count = (name: string) => core.getInput(name) || undefined;
  const policy = parsePolicy({
    keepLast: count(Inputs.KeepLast),
    keepHourly: count(Inputs.KeepHourly),
    keepDaily: count(Inputs.KeepDaily),
    keepWeekly: count(Inputs.KeepWeekly),
    keepMonthly: count(Inputs.KeepMonthly),
    keepYearly: count(Inputs.KeepYearly),
    keepWithin: core.getInput(Inputs.KeepWithin) || undefined,
    // One tag list per line, tags within a list separated by commas (restic's --keep-tag).
    keepTags: lines(core.getInput(Inputs.KeepTag)),
  });
  assertUsablePolicy(policy);
  return policy;
}

function pruneTuning(): PruneTuning {
  const maxUnused = core.getInput(Inputs.MaxUnused) || DEFAULT_MAX_UNUSED;
  parseMaxUnused(maxUnused, `input '${Inputs.MaxUnused}'`);
  const maxRepackSize = core.getInput(Inputs.MaxRepackSize) || undefined;
  if (maxRepackSize) parseSize(maxRepackSize, `input '${Inputs.MaxRepackSize}'`);
  return maxRepackSize ? { maxUnused, maxRepackSize } : { maxUnused };
}

/** The dump command and its options; undefined without `dump-command`. */
function dumpSettings(): DumpSettings | undefined {
  const command = core.getInput(Inputs.DumpCommand);
  if (command === '') return undefined;
  return {
    command,
    filename: checkDumpFilename(core.getInput(Inputs.DumpFilename) || DEFAULT_DUMP_FILENAME),
    allowEmpty: booleanInput(Inputs.AllowEmptyDump, false),
  };
}

/**
 * The default snapshot host: the repository's name, not the runner's hostname, which is
 * random on hosted runners and would defeat parent-snapshot detection on every run.
 */
export function defaultHost(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_REPOSITORY || 'github-actions';
}

function snapshotChoice(): SnapshotChoice {
  return { snapshot: core.getInput(Inputs.Snapshot) || 'latest', filter: snapshotFilter() };
}

/** Filters from the inputs that are set; host and tags filter only when given. */
function snapshotFilter(): SnapshotFilter {
  const filter: SnapshotFilter = {};
  const host = core.getInput(Inputs.Host);
  const tags = list(core.getInput(Inputs.Tags));
  // Snapshot paths are absolute: a relative filter means the same place as in `source`.
  const paths = lines(core.getInput(Inputs.Path)).map((p) => path.resolve(workspaceDir(), p));
  if (host) filter.hosts = [host];
  if (tags.length) filter.tags = [tags.join(',')];
  if (paths.length) filter.paths = paths;
  return filter;
}

function workspaceDir(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

function readDataInput(env: NodeJS.ProcessEnv): ReadDataSelection | undefined {
  const value = core.getInput(Inputs.ReadDataSubset);
  if (value === '') return undefined;
  if (value === 'all' || value === '100%') return { kind: 'all' };
  return parseReadDataSubset(value, { runNumber: env.GITHUB_RUN_NUMBER });
}

function optionalDuration(name: string): number | undefined {
  const value = core.getInput(name);
  return value ? parseDuration(value, `input '${name}'`) : undefined;
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

function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

function invalid(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, message);
}

/**
 * The only reader of the action's inputs: applies defaults, validates, masks secrets
 * before anything is logged, and returns typed settings for the chosen mode.
 */
import * as core from '@actions/core';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  assertUsablePolicy,
  checkDumpFilename,
  checkSnapshotRef,
  checkTagOptions,
  ChunkvaultError,
  ErrorCode,
  isChunkvaultError,
  parseCompressionMode,
  parseDuration,
  parseGroupBy,
  parseMaxUnused,
  parsePathPatterns,
  parsePolicy,
  parseReadDataSubset,
  parseSize,
  parseStatsMode,
  ruleName,
  type PolicySettingNames,
  type ReadDataSelection,
  type RetentionPolicy,
  type SnapshotFilter,
} from '../engine/index.ts';
import { ACTION_INPUTS, type ActionInputName, type ActionInputSpec } from './action-inputs.ts';
import { Inputs, MODES, type Mode } from './constants.ts';
import { parseConcurrency } from '../backends/open-storage.ts';
import { parseLocation, type RepositoryLocation } from '../backends/repository-location.ts';
import { runProvenance } from './provenance.ts';
import type { ActionSettings, CommonSettings, DumpSettings, KeyCommand, KeySettings, PruneTuning, RemoteSettings, SnapshotChoice, TagSettings } from './settings.ts';

export function getSettings(env: NodeJS.ProcessEnv = process.env): ActionSettings {
  // Not trimmed: a password is used byte for byte, as restic uses RESTIC_PASSWORD.
  const password = core.getInput(Inputs.Password, { trimWhitespace: false });
  if (password) core.setSecret(password);
  const mode = parseMode(inputOrDefault(Inputs.Mode));
  const repositoryInput = core.getInput(Inputs.Repository);
  if (!repositoryInput) throw invalid(`input '${Inputs.Repository}' is required: a directory path, rest:http(s)://host:port/path or s3:host/bucket`);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  if (password.trim() === '') {
    throw invalid(`input '${Inputs.Password}' is empty: pass the repository password from a secret, e.g. \${{ secrets.BACKUP_PASSWORD }} (a secret that is not set reads as empty)`);
  }
  const repository = repositoryLocation(repositoryInput, workspace);
  const common: CommonSettings = {
    repository,
    password,
    workspace,
    lockWaitMs: parseDuration(inputOrDefault(Inputs.LockWait), `input '${Inputs.LockWait}'`),
    ...remoteSettings(workspace),
  };
  const settings = modeSettings(mode, common, env);
  warnAboutUnusedInputs(mode);
  // New and destination passwords are masked too, but they have no business in a debug line either.
  const hidden = {
    ...('newPassword' in settings ? { newPassword: '***' } : {}),
    ...(settings.mode === 'copy' ? { destination: settings.destination.display, destinationPassword: '***' } : {}),
  };
  core.debug(`settings: ${JSON.stringify({ ...settings, repository: repository.display, password: '***', s3: settings.s3 ? '***' : undefined, ...hidden })}`);
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
      const provenance = booleanInput(Inputs.Provenance) ? runProvenance(env) : { tags: [] };
      const description = core.getInput(Inputs.Description) || provenance.description;
      const parent = core.getInput(Inputs.Parent);
      return {
        mode,
        ...common,
        sources,
        ...(dump ? { dump } : {}),
        excludes: patternsInput(Inputs.Exclude),
        init: booleanInput(Inputs.Init),
        host: core.getInput(Inputs.Host) || defaultHost(env),
        tags: [...new Set([...list(core.getInput(Inputs.Tags)), ...provenance.tags])],
        compression: parseCompressionMode(inputOrDefault(Inputs.Compression), `input '${Inputs.Compression}'`),
        failOnError: booleanInput(Inputs.FailOnError),
        ...(description ? { description } : {}),
        ...(parent ? { parent: snapshotRef(parent, Inputs.Parent) } : {}),
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
        include: patternsInput(Inputs.Include),
        overwrite: booleanInput(Inputs.Overwrite),
      };
    }
    case 'drill':
      return {
        mode,
        ...common,
        ...snapshotChoice(),
        include: patternsInput(Inputs.Include),
        maxSnapshotAgeMs: optionalDuration(Inputs.MaxSnapshotAge),
        maxRtoMs: optionalDuration(Inputs.MaxRto),
        drillCommand: core.getInput(Inputs.DrillCommand) || undefined,
        keepRestore: booleanInput(Inputs.KeepRestore),
        scratchParent: env.RUNNER_TEMP || os.tmpdir(),
      };
    case 'check':
      return { mode, ...common, readData: readDataInput(env) };
    case 'snapshots':
      return { mode, ...common, filter: snapshotFilter(), ids: snapshotIds(), latest: latestInput() };
    case 'ls': {
      const dirs = lines(core.getInput(Inputs.LsPath));
      const relative = dirs.find((d) => !d.startsWith('/'));
      if (relative !== undefined) throw invalid(`input '${Inputs.LsPath}': '${relative}' is not absolute: name directories as the snapshot has them, e.g. /home/runner/work/app/data`);
      return { mode, ...common, ...snapshotChoice(), dirs };
    }
    case 'forget': {
      const ids = snapshotIds();
      return {
        mode,
        ...common,
        ids,
        policy: ids.length > 0 ? ignoredPolicy() : retentionPolicy(),
        groupBy: parseGroupBy(inputOrDefault(Inputs.GroupBy), `input '${Inputs.GroupBy}'`),
        filter: snapshotFilter(),
        dryRun: booleanInput(Inputs.DryRun),
        prune: booleanInput(Inputs.Prune),
        pruneTuning: pruneTuning(),
      };
    }
    case 'prune':
      return { mode, ...common, dryRun: booleanInput(Inputs.DryRun), pruneTuning: pruneTuning() };
    case 'diff':
      return {
        mode,
        ...common,
        ...snapshotChoice(),
        baseSnapshot: core.getInput(Inputs.BaseSnapshot) ? snapshotRef(core.getInput(Inputs.BaseSnapshot), Inputs.BaseSnapshot) : undefined,
        metadata: booleanInput(Inputs.DiffMetadata),
      };
    case 'stats':
      // stats also takes `all`: every snapshot that passes the filter.
      return { mode, ...common, ...snapshotChoice({ allowAll: true }), statsMode: parseStatsMode(inputOrDefault(Inputs.StatsMode), `input '${Inputs.StatsMode}'`) };
    case 'tag':
      return tagSettings(common);
    case 'key':
      return keySettings(common);
    case 'unlock':
      return { mode, ...common, removeAll: booleanInput(Inputs.RemoveAll) };
    case 'copy': {
      const destinationPassword = core.getInput(Inputs.CopyPassword, { trimWhitespace: false });
      if (destinationPassword) core.setSecret(destinationPassword);
      const destination = core.getInput(Inputs.CopyRepository);
      if (!destination) throw invalid(`input '${Inputs.CopyRepository}' is required for a copy: the repository to copy snapshots into (the source is '${Inputs.Repository}')`);
      if (destinationPassword.trim() === '') throw invalid(`input '${Inputs.CopyPassword}' is required for a copy: the password of '${Inputs.CopyRepository}', from a secret`);
      return {
        mode,
        ...common,
        destination: repositoryLocation(destination, common.workspace, Inputs.CopyRepository),
        destinationPassword,
        init: booleanInput(Inputs.Init),
        filter: snapshotFilter(),
      };
    }
  }
}

/** Mode `tag`: which snapshots (the `snapshot` lines, or `all`), and the change, checked as restic checks its flags. */
function tagSettings(common: CommonSettings): TagSettings {
  const refs = lines(inputOrDefault(Inputs.Snapshot));
  const set = list(core.getInput(Inputs.SetTags));
  const settings: TagSettings = {
    mode: 'tag',
    ...common,
    snapshots: refs.length === 1 && refs[0] === 'all' ? [] : refs,
    filter: snapshotFilter(),
    ...(set.length > 0 ? { set } : {}),
    add: list(core.getInput(Inputs.AddTags)),
    remove: list(core.getInput(Inputs.RemoveTags)),
  };
  checkTagOptions(settings, { set: `input '${Inputs.SetTags}'`, add: `'${Inputs.AddTags}'`, remove: `'${Inputs.RemoveTags}'` });
  return settings;
}

const KEY_COMMANDS: readonly KeyCommand[] = ['list', 'add', 'remove', 'passwd'];

/** Mode `key`: the subcommand and what it needs; the new password is masked before anything can log it. */
function keySettings(common: CommonSettings): KeySettings {
  // Not trimmed, like `password`: used byte for byte.
  const newPassword = core.getInput(Inputs.NewPassword, { trimWhitespace: false });
  if (newPassword) core.setSecret(newPassword);
  const command = inputOrDefault(Inputs.KeyCommand) as KeyCommand;
  if (!KEY_COMMANDS.includes(command)) throw invalid(`input '${Inputs.KeyCommand}' must be one of ${KEY_COMMANDS.join(', ')}; got '${command}'`);
  if (command === 'add' || command === 'passwd') {
    if (newPassword === '') throw invalid(`input '${Inputs.NewPassword}' is required for key ${command} (an empty password is not a password): pass it from a secret`);
    return { mode: 'key', ...common, command, newPassword };
  }
  const keyId = core.getInput(Inputs.KeyId);
  if (command === 'remove') {
    if (!keyId) throw invalid(`input '${Inputs.KeyId}' is required for key remove: a key id or unique prefix (key-command: list shows them)`);
    return { mode: 'key', ...common, command, keyId };
  }
  return { mode: 'key', ...common, command };
}

/**
 * The repository input, parsed once for every layer below: the password a REST URL carries
 * is masked before anything can log it (as decoded and as percent-encoded; logs show the
 * location redacted anyway).
 */
function repositoryLocation(input: string, workspace: string, name: ActionInputName = Inputs.Repository): RepositoryLocation {
  let location: RepositoryLocation;
  try {
    location = parseLocation(input, workspace);
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.InvalidInput)) throw invalid(`input '${name}': ${e.message}`);
    throw e;
  }
  for (const secret of location.secrets) core.setSecret(secret);
  return location;
}

/** Remote repository settings: parallel requests, TLS, the metadata cache, S3 credentials (masked). */
function remoteSettings(workspace: string): RemoteSettings {
  const out: RemoteSettings = {};
  const concurrency = core.getInput(Inputs.Concurrency);
  if (concurrency) out.concurrency = parseConcurrency(concurrency, `input '${Inputs.Concurrency}'`);
  const caFile = core.getInput(Inputs.CaFile);
  if (caFile) out.caFile = path.resolve(workspace, caFile);
  out.metadataCache = booleanInput(Inputs.MetadataCache);
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
    pathStyle: core.getInput(Inputs.S3PathStyle) === '' ? undefined : booleanInput(Inputs.S3PathStyle),
  };
  if (Object.values(s3).some((v) => v !== undefined)) out.s3 = Object.fromEntries(Object.entries(s3).filter(([, v]) => v !== undefined));
  return out;
}

/**
 * A set input that the mode does not read is most likely a mistake: say so. Which modes read
 * an input is written in action.yml (each description's [modes] tag).
 */
function warnAboutUnusedInputs(mode: Mode): void {
  for (const [name, spec] of Object.entries(ACTION_INPUTS) as [ActionInputName, ActionInputSpec][]) {
    if (spec.modes === 'all' || spec.modes.includes(mode)) continue;
    const value = core.getInput(name);
    // The runner passes action.yml's defaults even when a workflow does not set them.
    if (value !== '' && value !== spec.default) core.warning(`input '${name}' is not used in mode '${mode}' and is ignored`);
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
  }, POLICY_INPUT_NAMES);
  assertUsablePolicy(policy, POLICY_INPUT_NAMES);
  return policy;
}

/** Policy errors name the action's inputs (it has no keep-within-daily and such: those are CLI flags). */
const POLICY_INPUT_NAMES: PolicySettingNames = {
  rule: (rule) => `input '${ruleName(rule)}'`,
  all: `the inputs ${Inputs.KeepLast}, ${Inputs.KeepHourly}, ${Inputs.KeepDaily}, ${Inputs.KeepWeekly}, ${Inputs.KeepMonthly}, ${Inputs.KeepYearly} (a count above 0), ${Inputs.KeepWithin} (a duration such as 30d or 1y6m) or ${Inputs.KeepTag}`,
};

/** With `snapshot-ids`, forget applies no policy, as restic: a keep-* input set too only gets a warning. */
function ignoredPolicy(): RetentionPolicy {
  const set = KEEP_INPUTS.filter((name) => core.getInput(name) !== '');
  if (set.length > 0) core.warning(`input${set.length > 1 ? 's' : ''} ${set.map((n) => `'${n}'`).join(', ')} ignored: '${Inputs.SnapshotIds}' names the snapshots to remove`);
  return {};
}

const KEEP_INPUTS = [Inputs.KeepLast, Inputs.KeepHourly, Inputs.KeepDaily, Inputs.KeepWeekly, Inputs.KeepMonthly, Inputs.KeepYearly, Inputs.KeepWithin, Inputs.KeepTag];

/** `snapshot-ids`: separated by spaces, commas or lines; each checked as a snapshot reference. */
function snapshotIds(): string[] {
  return core
    .getInput(Inputs.SnapshotIds)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((ref) => snapshotRef(ref, Inputs.SnapshotIds));
}

function snapshotRef(ref: string, input: string): string {
  return checkSnapshotRef(ref, `input '${input}'`);
}

function latestInput(): number {
  const value = core.getInput(Inputs.Latest);
  if (value === '') return 0;
  if (!/^\d+$/.test(value)) throw invalid(`input '${Inputs.Latest}' must be a whole number of snapshots; got '${value}'`);
  return Number(value);
}

function pruneTuning(): PruneTuning {
  const maxUnused = inputOrDefault(Inputs.MaxUnused);
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
    filename: checkDumpFilename(inputOrDefault(Inputs.DumpFilename), `input '${Inputs.DumpFilename}'`),
    allowEmpty: booleanInput(Inputs.AllowEmptyDump),
  };
}

/**
 * The default snapshot host: the repository's name, not the runner's hostname, which is
 * random on hosted runners and would defeat parent-snapshot detection on every run.
 */
export function defaultHost(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_REPOSITORY || 'github-actions';
}

function snapshotChoice({ allowAll = false } = {}): SnapshotChoice {
  const ref = inputOrDefault(Inputs.Snapshot);
  return { snapshot: allowAll && ref === 'all' ? ref : snapshotRef(ref, Inputs.Snapshot), filter: snapshotFilter() };
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
  return parseReadDataSubset(value, { runNumber: env.GITHUB_RUN_NUMBER, what: `input '${Inputs.ReadDataSubset}'` });
}

function optionalDuration(name: string): number | undefined {
  const value = core.getInput(name);
  return value ? parseDuration(value, `input '${name}'`) : undefined;
}

function parseMode(value: string): Mode {
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  throw invalid(`input '${Inputs.Mode}' must be one of ${MODES.join(', ')}; got '${value}'`);
}

/** The input, or action.yml's default when it is empty (as it is when run outside the runner). */
function inputOrDefault(name: ActionInputName): string {
  const spec: ActionInputSpec = ACTION_INPUTS[name];
  return core.getInput(name) || (spec.default ?? '');
}

/** True or false; empty means action.yml's default, and false for an input without one. */
function booleanInput(name: ActionInputName): boolean {
  if (core.getInput(name) === '') return inputOrDefault(name) === 'true';
  try {
    return core.getBooleanInput(name);
  } catch {
    throw invalid(`input '${name}' must be true or false; got '${core.getInput(name)}'`);
  }
}

/** Exclude or include patterns, one per line, checked here so that a malformed one is refused naming its input. */
function patternsInput(name: ActionInputName): string[] {
  const patterns = lines(core.getInput(name));
  parsePathPatterns(patterns, `input '${name}'`);
  return patterns;
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

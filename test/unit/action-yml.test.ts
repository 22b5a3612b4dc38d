/**
 * action.yml is the one description of the action's inputs and outputs: the code's names,
 * the inputs each mode reads, the defaults, src/action/action-inputs.ts and the README's
 * tables must all agree with it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS, ACTION_OUTPUTS, type ActionInputName, type ActionInputSpec } from '../../src/action/action-inputs.ts';
import { Inputs, MODES, Outputs, type Mode } from '../../src/action/constants.ts';
import { getSettings } from '../../src/action/inputs.ts';
import type { ForgetSettings } from '../../src/action/settings.ts';
import { DEFAULT_GROUP_BY, DEFAULT_MAX_UNUSED, parseDuration } from '../../src/engine/index.ts';
import { generatedFiles } from '../../scripts/action-metadata/generated-files.ts';
import { parseActionMetadata } from '../../scripts/action-metadata/action-metadata.ts';

/** What the action reads and warns, recorded through @actions/core. */
const recorded = vi.hoisted(() => ({ reads: [] as string[], warnings: [] as string[] }));

vi.mock('@actions/core', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@actions/core')>();
  return {
    ...actual,
    getInput: (name: string, options?: Parameters<typeof actual.getInput>[1]) => {
      recorded.reads.push(name);
      return actual.getInput(name, options);
    },
    warning: (message: string | Error) => void recorded.warnings.push(String(message)),
    setSecret: () => {},
    debug: () => {},
  };
});

interface RawAction {
  inputs: Record<string, { default?: unknown; required?: unknown }>;
  outputs: Record<string, unknown>;
}

const actionYml = parse(readFileSync(path.resolve(import.meta.dirname, '../../action.yml'), 'utf8')) as RawAction;

/** A valid value for every input, never action.yml's default (an input set to its default is not "set"). */
const SAMPLE_VALUES: Record<ActionInputName, string> = {
  'mode': '(the mode under test)',
  'repository': '/tmp/chunkvault-action-yml-test/repo',
  'password': 'correct horse',
  'source': 'src',
  'dump-command': 'echo dump',
  'dump-filename': 'db.sql',
  'allow-empty-dump': 'true',
  'exclude': '*.log',
  'init': 'false',
  'host': 'test-host',
  'tags': 'nightly,db',
  'compression': 'max',
  'fail-on-error': 'false',
  'description': 'nightly backup',
  'provenance': 'false',
  'parent': 'latest',
  'snapshot-ids': '1a2b3c4d',
  'latest': '2',
  'snapshot': '1a2b3c4d',
  'path': 'data',
  'target': 'restored',
  'include': '/data/keep',
  'overwrite': 'true',
  'max-snapshot-age': '26h',
  'max-rto': '15m',
  'drill-command': 'true',
  'keep-restore': 'true',
  'base-snapshot': 'abcd1234',
  'diff-metadata': 'true',
  'stats-mode': 'raw-data',
  'ls-path': '/data',
  'read-data-subset': '2/8',
  'keep-last': '3',
  'keep-hourly': '24',
  'keep-daily': '7',
  'keep-weekly': '4',
  'keep-monthly': '12',
  'keep-yearly': '2',
  'keep-within': '30d',
  'keep-tag': 'keep',
  'group-by': 'host',
  'prune': 'true',
  'dry-run': 'true',
  'max-unused': '10%',
  'max-repack-size': '2G',
  'lock-wait': '1m',
  'copy-repository': '/tmp/chunkvault-action-yml-test/offsite',
  'copy-password': 'battery staple',
  'concurrency': '4',
  'ca-file': 'ca.pem',
  'metadata-cache': 'false',
  'aws-access-key-id': 'AKIDEXAMPLE',
  'aws-secret-access-key': 'secret-key',
  'aws-session-token': 'session-token',
  'aws-region': 'eu-west-1',
  's3-path-style': 'true',
  'add-tags': 'verified',
  'remove-tags': 'nightly',
  // Not with add-tags/remove-tags (restic refuses --set with --add/--remove): mode tag's run below leaves it out.
  'set-tags': 'release',
  'key-command': 'remove',
  'new-password': 'battery staple',
  'key-id': '5e6f7a8b',
  'remove-all': 'true',
};

/** The modes getSettings accepts: all of them. */
const AVAILABLE_MODES = MODES;

const inputSpecs = Object.entries(ACTION_INPUTS) as [ActionInputName, ActionInputSpec][];

function readsInput(mode: Mode, spec: ActionInputSpec): boolean {
  return spec.modes === 'all' || spec.modes.includes(mode);
}

function runWithInputs(inputs: Partial<Record<ActionInputName, string>>) {
  for (const name of Object.keys(ACTION_INPUTS)) vi.stubEnv(`INPUT_${name.toUpperCase()}`, inputs[name as ActionInputName] ?? '');
  recorded.reads.length = 0;
  recorded.warnings.length = 0;
  return getSettings({ GITHUB_WORKSPACE: '/tmp/chunkvault-action-yml-test', RUNNER_TEMP: '/tmp' });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('action.yml and the code', () => {
  it('name the same inputs and outputs', () => {
    const yamlInputs = Object.keys(actionYml.inputs).sort();
    expect(Object.values(Inputs).sort()).toEqual(yamlInputs);
    expect(Object.keys(ACTION_INPUTS).sort()).toEqual(yamlInputs);
    const yamlOutputs = Object.keys(actionYml.outputs).sort();
    expect(Object.values(Outputs).sort()).toEqual(yamlOutputs);
    expect([...ACTION_OUTPUTS].sort()).toEqual(yamlOutputs);
  });

  it("use action.yml's defaults and required flags", () => {
    for (const [name, spec] of inputSpecs) {
      const raw = actionYml.inputs[name]!;
      expect({ name, default: spec.default, required: spec.required }).toEqual({
        name,
        default: raw.default === undefined ? undefined : String(raw.default),
        required: raw.required === true,
      });
    }
    // The CLI uses the engine's defaults: they must say what action.yml says.
    expect(DEFAULT_GROUP_BY).toBe(ACTION_INPUTS['group-by'].default);
    expect(DEFAULT_MAX_UNUSED).toBe(ACTION_INPUTS['max-unused'].default);
  });

  it("falls back to action.yml's defaults when the runner passes nothing", () => {
    const settings = runWithInputs({ 'mode': 'forget', 'repository': SAMPLE_VALUES.repository, 'password': 'pw', 'keep-last': '1' }) as ForgetSettings;
    expect(settings.lockWaitMs).toBe(parseDuration(String(actionYml.inputs['lock-wait']!.default), 'lock-wait'));
    expect(settings.pruneTuning.maxUnused).toBe(String(actionYml.inputs['max-unused']!.default));
    expect(settings.dryRun).toBe(actionYml.inputs['dry-run']!.default === 'true');
    expect(settings.metadataCache).toBe(actionYml.inputs['metadata-cache']!.default === 'true');
  });

  it('has a sample value for every input', () => {
    expect(Object.keys(SAMPLE_VALUES).sort()).toEqual(Object.keys(ACTION_INPUTS).sort());
    for (const [name, spec] of inputSpecs) expect(SAMPLE_VALUES[name], name).not.toBe(spec.default);
  });

  // Every input is set; the mode's code must read exactly the inputs action.yml tags with
  // that mode, and the others are read once only, by the unused-input warning.
  it.each(AVAILABLE_MODES)('mode %s reads the inputs action.yml names for it and warns about the rest', (mode) => {
    runWithInputs({ ...SAMPLE_VALUES, mode, ...(mode === 'tag' ? { 'set-tags': '' } : {}) });
    const readByMode = inputSpecs.filter(([, spec]) => readsInput(mode, spec)).map(([name]) => name);
    const ignored = inputSpecs.filter(([, spec]) => !readsInput(mode, spec)).map(([name]) => name);
    const readCount = (name: string) => recorded.reads.filter((r) => r === name).length;
    expect(readByMode.filter((name) => readCount(name) === 0), 'tagged for the mode but never read').toEqual([]);
    expect(ignored.filter((name) => readCount(name) !== 1), 'read by the mode but not tagged for it').toEqual([]);
    // forget with `snapshot-ids` also says that the keep-* inputs it read do not apply.
    const unusedWarnings = recorded.warnings.filter((w) => !w.includes(`'snapshot-ids' names the snapshots to remove`));
    expect(unusedWarnings).toEqual(ignored.map((name) => `input '${name}' is not used in mode '${mode}' and is ignored`));
  });
});

describe('files generated from action.yml', () => {
  it.each(generatedFiles().map((f) => [f.path, f] as const))('%s is up to date (else run `npm run docs`)', (_, file) => {
    expect(file.actual, `${file.path} is stale: run \`npm run docs\` and commit the result`).toBe(file.expected);
  });

  it('refuses a description without its [modes] tag, or with an unknown mode', () => {
    const yml = (description: string) => `inputs:\n  x:\n    description: "${description}"\noutputs: {}\n`;
    expect(parseActionMetadata(yml('[backup, prune] Something.')).inputs[0]).toMatchObject({ modes: ['backup', 'prune'], description: 'Something.' });
    expect(() => parseActionMetadata(yml('Something.'))).toThrow(/must begin with the modes/);
    expect(() => parseActionMetadata(yml('[backups] Something.'))).toThrow(/'backups' is not a mode/);
  });
});

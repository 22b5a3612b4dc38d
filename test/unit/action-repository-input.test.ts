/**
 * The action parses its `repository` input once, in getSettings: the settings carry the
 * parsed location, the password a REST URL carries is masked (as decoded and as
 * percent-encoded) before anything is logged, and the settings' debug line shows the
 * location redacted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getSettings } from '../../src/action/inputs.ts';
import { ErrorCode } from '../../src/engine/errors.ts';

const WORKSPACE = '/tmp/chunkvault-workspace';

/** Sets the inputs as the runner does (INPUT_<NAME>), runs fn, and returns what it wrote to stdout. The afterEach clears them. */
function withInputs<T>(inputs: Record<string, string>, fn: () => T): { result: T; stdout: string } {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  // @actions/core writes its commands (add-mask, debug) to stdout: collect them.
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: fn(), stdout: written.join('') };
  } finally {
    process.stdout.write = write;
  }
}

const env = { GITHUB_WORKSPACE: WORKSPACE };

/** The error fn throws. */
function failure(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

describe("the action's repository input", () => {
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
  });

  it('is parsed once into the settings, a local path resolved against the workspace', () => {
    const { result } = withInputs({ mode: 'snapshots', repository: 'backups/app', password: 'pw' }, () => getSettings(env));
    expect(result.repository).toEqual({ kind: 'local', path: `${WORKSPACE}/backups/app`, display: 'backups/app', secrets: [] });
  });

  it('masks a REST password, decoded and percent-encoded, and logs the location redacted', () => {
    const repository = 'rest:https://ci:p%40ss%2Fword@host.example:8000/repo/';
    const { result, stdout } = withInputs({ mode: 'snapshots', repository, password: 'pw' }, () => getSettings(env));
    expect(result.repository).toMatchObject({ kind: 'rest', username: 'ci', password: 'p@ss/word', display: 'rest:https://ci:***@host.example:8000/repo/' });
    expect(stdout).toContain('::add-mask::p@ss/word');
    // Workflow commands escape '%' as '%25': the runner masks p%40ss%2Fword.
    expect(stdout).toContain('::add-mask::p%2540ss%252Fword');
    const debug = stdout.split('\n').find((line) => line.startsWith('::debug::settings:'));
    expect(debug).toContain('"repository":"rest:https://ci:***@host.example:8000/repo/"');
    expect(debug).not.toContain('p@ss');
    expect(debug).not.toContain('p%40ss');
  });

  it('fails on an unusable location in getSettings, naming no password', () => {
    const { result: error } = withInputs({ mode: 'snapshots', repository: 'rest:ftp://u:secret@host/', password: 'pw' }, () => failure(() => getSettings(env)));
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, message: "input 'repository': 'rest:ftp://u:***@host/': a REST location is an http:// or https:// URL" });
  });

  it('still asks for the password first when both are wrong', () => {
    const { result: error } = withInputs({ mode: 'snapshots', repository: 'sftp:host:/x', password: '' }, () => failure(() => getSettings(env)));
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/^input 'password' is empty: pass the repository password from a secret/) });
  });
});

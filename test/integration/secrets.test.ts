/**
 * Secrets never leave the process: every action mode and a few CLI commands run with
 * debug logging on (RUNNER_DEBUG, ACTIONS_STEP_DEBUG) and distinctive secrets (passwords,
 * a REST URL's user:password, S3 credentials from inputs and from the environment, a
 * password file's content), passing and failing; none of them, raw, base64 or URL-encoded, may
 * appear in stdout, stderr, the job summary, the outputs file, the files left in the
 * workspace and caches, or a lock left behind (read decrypted).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { runAction, type ActionRun } from '../helpers/action.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { startFaultServer, type FaultServer } from '../helpers/fault-rest-server.ts';
import { startRcloneServer, type RcloneServer } from '../helpers/rclone-server.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

// Distinctive values: none is a substring of anything chunkvault prints by itself.
const PASSWORD = 'pw-Kq7Zx2Vm9Lr4';
const NEW_PASSWORD = 'np-Hd8Tw5Yb3Jc6';
const COPY_PASSWORD = 'cp-Ue4Rn7Gs1Pf9';
const REST_USER = 'ru-Sx5Bk2';
// Characters a URL must percent-encode, so that the encoded form is a distinct string.
const REST_PASSWORD = 'rp-Mv9/Ej4@Lz:7';
const S3_INPUT = { keyId: 'AKIAIN7QX4WZ2KD5', secret: 'sk-In8Fh3Cw6Yp1Ra', token: 'st-In2Dv9Mk4Xe7Gs' };
const S3_ENV = { keyId: 'AKIAEV3PL8RT6MB1', secret: 'sk-Ev5Jq1Zn7Ku3Wb', token: 'st-Ev6Hc4Ty9Og2Lp' };

// The REST user name is not secret (shown in the location, as restic shows it); user:password together is.
const SECRETS = [PASSWORD, NEW_PASSWORD, COPY_PASSWORD, REST_PASSWORD, ...Object.values(S3_INPUT), ...Object.values(S3_ENV)];

/** Each secret as it could leak: raw, base64 (alone and in a basic-auth header), URL-encoded. */
function leakForms(): { secret: string; form: string; encoded: string }[] {
  const forms: { secret: string; form: string; encoded: string }[] = [];
  for (const secret of SECRETS) {
    forms.push({ secret, form: 'raw', encoded: secret });
    forms.push({ secret, form: 'base64', encoded: Buffer.from(secret).toString('base64').replace(/=+$/, '') });
    forms.push({ secret, form: 'url-encoded', encoded: encodeURIComponent(secret) });
  }
  forms.push({ secret: REST_PASSWORD, form: 'basic auth', encoded: Buffer.from(`${REST_USER}:${REST_PASSWORD}`).toString('base64').replace(/=+$/, '') });
  return forms.filter((f, i, all) => all.findIndex((g) => g.encoded === f.encoded) === i);
}
const FORMS = leakForms();

/** The debug switches a re-run with debug logging sets. */
const DEBUG_ENV = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' };

/** Lines asking the runner to mask a value carry it by design; the runner swallows them. */
function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

interface Place {
  where: string;
  text: string;
}

/** Every place a secret was found: (form, place) pairs, for a readable failure. */
function leaks(places: Place[]): string[] {
  const found: string[] = [];
  for (const p of places) for (const f of FORMS) if (p.text.includes(f.encoded)) found.push(`${f.form} ${JSON.stringify(f.secret)} in ${p.where}`);
  return found;
}

/** Counts (secret forms × places) checked, for the closing note. */
let checks = 0;

function expectNoLeak(label: string, run: ActionRun | { stdout: string; stderr: string }): void {
  const places: Place[] = [
    { where: `${label} stdout`, text: withoutMaskCommands(run.stdout) },
    { where: `${label} stderr`, text: run.stderr },
  ];
  if ('summary' in run) {
    places.push({ where: `${label} summary`, text: run.summary }, { where: `${label} outputs`, text: JSON.stringify(run.outputs) });
  }
  checks += places.length * FORMS.length;
  expect(leaks(places)).toEqual([]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('secrets', () => {
  let workspace: string;
  let rest: RcloneServer;
  let s3Refusing: FaultServer;
  let repository: string;
  const runnerEnv = { ...DEBUG_ENV };
  const base = () => ({ repository, password: PASSWORD });

  beforeAll(async () => {
    workspace = await makeTempDir('secrets');
    await mkdir(path.join(workspace, 'data'));
    await writeFile(path.join(workspace, 'data/a.txt'), 'first\n');
    await mkdir(path.join(workspace, 'served'));
    rest = await startRcloneServer(path.join(workspace, 'served'), { user: REST_USER, pass: REST_PASSWORD });
    await initCheapRepository(path.join(workspace, 'served/repo'), PASSWORD);
    await initCheapRepository(path.join(workspace, 'copy-dest'), COPY_PASSWORD);
    const credentials = `${encodeURIComponent(REST_USER)}:${encodeURIComponent(REST_PASSWORD)}@`;
    repository = `rest:${rest.url.replace('://', `://${credentials}`)}repo/`;
    // An S3 endpoint that answers every request 403: the credentials reach it, and the failure must not repeat them.
    s3Refusing = await startFaultServer();
    s3Refusing.inject(Array.from({ length: 100 }, () => ({ status: 403 })));
  });
  afterAll(async () => {
    await rest?.stop();
    await s3Refusing?.close();
    await removeDir(workspace);
  });

  /** Runs the action once per step, in order, checking each run for leaks. */
  async function runSteps(steps: [string, Record<string, string>, number][]): Promise<void> {
    for (const [label, inputs, expectedCode] of steps) {
      const run = await runAction({ ...base(), ...inputs }, workspace, undefined, runnerEnv);
      expect(run.code, `${label}:\n${run.stdout}\n${run.stderr}`).toBe(expectedCode);
      // The debug switch is on: a run that logged no debug line would prove nothing about debug output.
      if (expectedCode === 0) expect(run.stdout, label).toContain('::debug::');
      expectNoLeak(`action ${label}`, run);
    }
  }

  // Three tests in order on one repository, each within its own timeout on a busy machine.
  it('stay out of everything the action writes in backup and the reading modes, with debug logging on', async () => {
    await runSteps([
      ['backup', { source: 'data', tags: 'one' }, 0],
      ['snapshots', { mode: 'snapshots' }, 0],
      ['ls', { mode: 'ls' }, 0],
      ['diff', { mode: 'diff', 'base-snapshot': 'latest' }, 0],
      ['stats', { mode: 'stats' }, 0],
      ['restore', { mode: 'restore', target: 'restored' }, 0],
      ['drill', { mode: 'drill' }, 0],
    ]);
  });

  it('stay out of everything the action writes in the modes that change the repository', async () => {
    await runSteps([
      ['check', { mode: 'check', 'read-data-subset': '100%' }, 0],
      ['tag', { mode: 'tag', 'add-tags': 'tagged' }, 0],
      ['copy', { mode: 'copy', 'copy-repository': 'copy-dest', 'copy-password': COPY_PASSWORD }, 0],
      ['forget', { mode: 'forget', 'keep-last': '1', prune: 'true' }, 0],
      ['prune', { mode: 'prune' }, 0],
      ['unlock', { mode: 'unlock', 'remove-all': 'true' }, 0],
    ]);
  });

  it('stay out of everything the action writes when keys change or the password is wrong', async () => {
    await runSteps([
      ['key add', { mode: 'key', 'key-command': 'add', 'new-password': NEW_PASSWORD }, 0],
      ['wrong password', { mode: 'snapshots', password: `${NEW_PASSWORD}x` }, 1],
      ['key passwd', { mode: 'key', 'key-command': 'passwd', password: NEW_PASSWORD, 'new-password': COPY_PASSWORD }, 0],
    ]);
  });

  it('stay out of a failing S3 run, whether the credentials come from inputs or from the environment', async () => {
    const endpoint = `s3:${s3Refusing.url}bucket/repo`;
    const fromInputs = await runAction(
      {
        repository: endpoint,
        password: PASSWORD,
        mode: 'snapshots',
        'aws-access-key-id': S3_INPUT.keyId,
        'aws-secret-access-key': S3_INPUT.secret,
        'aws-session-token': S3_INPUT.token,
        'aws-region': 'us-east-1',
      },
      workspace,
      undefined,
      runnerEnv,
    );
    const fromEnv = await runAction({ repository: endpoint, password: PASSWORD, mode: 'backup', source: 'data' }, workspace, undefined, {
      ...runnerEnv,
      AWS_ACCESS_KEY_ID: S3_ENV.keyId,
      AWS_SECRET_ACCESS_KEY: S3_ENV.secret,
      AWS_SESSION_TOKEN: S3_ENV.token,
      AWS_REGION: 'us-east-1',
    });
    for (const [label, run] of [['S3 inputs', fromInputs], ['S3 env', fromEnv]] as const) {
      expect(run.code, `${label}: ${run.stdout}${run.stderr}`).not.toBe(0);
      expect(run.stdout + run.stderr, label).toMatch(/403|denied|forbidden|credentials/i);
      expectNoLeak(label, run);
    }
    // The server did receive them: the session token travels in a header of every request.
    expect(s3Refusing.requests.length).toBeGreaterThan(0);
  });

  it('stay out of the CLI\'s output, its cache, and a lock a killed prune leaves behind', async () => {
    // The password now in use (key passwd above), read from a file as a CLI user keeps it.
    const passwordFile = path.join(workspace, 'password-file');
    await writeFile(passwordFile, `${COPY_PASSWORD}\n`);
    const cacheDir = path.join(workspace, 'cli-cache');
    const env = { CHUNKVAULT_CACHE_DIR: cacheDir, ...DEBUG_ENV };
    const backup = await runCli(['-r', repository, '-p', passwordFile, 'backup', path.join(workspace, 'data')], env);
    expect(backup.code, backup.stderr).toBe(0);
    const wrong = await runCli(['-r', repository, 'snapshots'], { ...env, RESTIC_PASSWORD: `${COPY_PASSWORD}x` });
    expect(wrong.code).not.toBe(0);
    const killed = await runCli(['-r', repository, '-p', passwordFile, 'prune'], { ...env, CHUNKVAULT_FAILPOINT: 'prune:planned:1' });
    expect(killed.signal).toBe('SIGKILL');
    for (const [label, run] of [['CLI backup', backup], ['CLI wrong password', wrong], ['CLI killed prune', killed]] as const) {
      expectNoLeak(label, run);
    }

    // The lock the killed prune left: its decrypted content holds no secret either.
    const repo = await Repository.open(new LocalBackend(path.join(workspace, 'served/repo')), COPY_PASSWORD);
    const locks = await readdir(path.join(workspace, 'served/repo/locks'));
    expect(locks.length).toBeGreaterThan(0);
    const lockTexts = await Promise.all(locks.map(async (id) => new TextDecoder().decode(await repo.loadUnpacked('lock', id))));
    // And every file in the workspace (caches, scratch, repositories, outputs), as bytes read as text.
    const files = (await filesUnder(workspace)).filter((f) => f !== passwordFile);
    expect(files.some((f) => f.startsWith(cacheDir))).toBe(true);
    const places: Place[] = [
      ...lockTexts.map((text, i) => ({ where: `lock ${locks[i]} (decrypted)`, text })),
      ...(await Promise.all(files.map(async (f) => ({ where: path.relative(workspace, f), text: (await readFile(f)).toString('latin1') })))),
    ];
    checks += places.length * FORMS.length;
    expect(leaks(places)).toEqual([]);
    console.log(`secrets: ${SECRETS.length} values in ${FORMS.length} forms; ${checks} (form × place) checks`);
  });
});

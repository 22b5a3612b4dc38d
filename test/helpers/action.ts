/**
 * Runs the action's entry point as the runner does: inputs in INPUT_* variables, outputs
 * and the job summary written to the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { COMPILE_CACHE_ENV } from './compile-cache.ts';

const ENTRY = path.resolve(import.meta.dirname, '../../src/main.ts');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses the GITHUB_OUTPUT file format (name<<DELIMITER ... DELIMITER). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

/** The runner's environment for the action: inputs as INPUT_*, the output and summary files. */
async function actionEnvironment(inputs: Record<string, string>, workDir: string): Promise<{ env: Record<string, string>; outputFile: string; summaryFile: string }> {
  const outputFile = path.join(workDir, `output-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const summaryFile = `${outputFile}-summary`;
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workDir,
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: workDir,
    ...COMPILE_CACHE_ENV,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, outputFile, summaryFile };
}

/** Starts the action as a child process the test can signal; `done` resolves with its result. */
export async function startAction(
  inputs: Record<string, string>,
  workDir: string,
  entry = ENTRY,
  runnerEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; done: Promise<ActionRun> }> {
  const { env: baseEnv, outputFile, summaryFile } = await actionEnvironment(inputs, workDir);
  // More of the runner's variables (GITHUB_SHA, GITHUB_RUN_ID, ...) when a test needs them.
  const env = { ...baseEnv, ...runnerEnv };
  const child = spawn(process.execPath, [entry], { env, cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<ActionRun>((resolve) =>
    child.on('close', async (code) => {
      resolve({
        code: code ?? 1,
        stdout,
        stderr,
        outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
        summary: await readFile(summaryFile, 'utf8'),
      });
    }),
  );
  return { child, done };
}

/** Runs the action to its end. */
export async function runAction(inputs: Record<string, string>, workDir: string, entry = ENTRY, runnerEnv: Record<string, string> = {}): Promise<ActionRun> {
  return (await startAction(inputs, workDir, entry, runnerEnv)).done;
}

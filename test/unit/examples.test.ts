/**
 * The example workflows in examples/ are complete workflows that use only what action.yml
 * declares: every `with:` key is an input, every mode exists, and every
 * `steps.<id>.outputs.<name>` read from one of our steps is an output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MODES } from '../../src/action/constants.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const EXAMPLES = readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yml'));

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name?: string;
  on?: unknown;
  jobs?: Record<string, { 'runs-on'?: unknown; steps?: Step[] }>;
}

describe('example workflows', () => {
  it('cover the cases the README promises', () => {
    expect(EXAMPLES.sort()).toEqual(['nightly-backup.yml', 'post-deploy-snapshot.yml', 'postgres-dump-and-drill.yml', 's3-oidc.yml', 'weekly-drill.yml']);
  });

  it.each(EXAMPLES)('%s uses only inputs, modes and outputs that action.yml declares', (file) => {
    const text = readFileSync(path.join(ROOT, 'examples', file), 'utf8');
    const wf = parse(text) as Workflow;
    expect(wf.name).toBeTruthy();
    expect(wf.on).toBeTruthy();
    const jobs = Object.values(wf.jobs ?? {});
    expect(jobs.length).toBeGreaterThan(0);
    const ours: Step[] = [];
    for (const job of jobs) {
      expect(job['runs-on']).toBeTruthy();
      for (const step of job.steps ?? []) {
        expect(step.uses !== undefined || step.run !== undefined).toBe(true);
        if (step.uses?.startsWith('chunkvault/chunkvault@')) ours.push(step);
      }
    }
    expect(ours.length).toBeGreaterThan(0);
    for (const step of ours) {
      for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${file}: input '${key}'`).toContain(key);
      expect(step.with?.repository, `${file}: repository`).toBeTruthy();
      expect(String(step.with?.password), `${file}: password from a secret`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      const mode = String(step.with?.mode ?? 'backup');
      expect(MODES as readonly string[], `${file}: mode '${mode}'`).toContain(mode);
    }
    const ids = new Set(ours.map((s) => s.id).filter(Boolean));
    for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (!ids.has(m[1]!)) continue;
      expect(Object.keys(action.outputs), `${file}: output '${m[2]}'`).toContain(m[2]);
    }
  });
});

/**
 * The job summary of every action mode, built from results the engine returned for an
 * in-memory repository, is valid Markdown/HTML: it parses without errors and every
 * element the text opens it closes. Texts from the repository (host, tags, paths) are
 * escaped, and the modes with a history draw it as a Mermaid chart.
 */
import * as core from '@actions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlProblems, summaryProblems } from '../helpers/summary-validity.ts';
import { buildModeSummaries, PASSWORD, SUMMARY_NAMES } from '../helpers/mode-summaries.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import type { SummaryDocument } from '../../src/action/summary/document.ts';

let tmp: string;
let summaries: Map<string, SummaryDocument>;

beforeAll(async () => {
  tmp = await makeTempDir('summaries');
  summaries = await buildModeSummaries(tmp);
}, 120_000);

afterAll(async () => {
  await removeDir(tmp);
});

describe('the job summary of every mode', () => {
  it('has been built for every mode and its failures', () => {
    expect([...summaries.keys()].sort()).toEqual([...SUMMARY_NAMES].sort());
  });

  it.each(SUMMARY_NAMES)('%s: parses without errors, every element closed, repository texts escaped', (name) => {
    const text = summaries.get(name)!.text();
    expect(summaryProblems(text)).toEqual([]);
    expect(text).toMatch(/^<h2>chunkvault/);
    expect(text).not.toContain('<img');
    expect(text).not.toContain('<b>&');
    expect(text).not.toContain(PASSWORD);
  });

  it('draws the backup history, the snapshots, the drills, forget and prune as Mermaid charts', () => {
    for (const name of ['backup', 'drill', 'snapshots', 'forget+prune']) expect(summaries.get(name)!.text(), name).toContain('```mermaid');
    expect(summaries.get('backup')!.text()).toMatch(/xychart-beta[\s\S]*bar \[[\d., ]+\][\s\S]*line \[[\d., ]+\]/);
    // One backup of these paths is not a history.
    expect(summaries.get('backup, first of its paths')!.text()).not.toContain('```mermaid');
  });

  it('says what failed and what to change, naming the input', () => {
    expect(summaries.get('failure: wrong password')!.text()).toMatch(/backup failed[\s\S]*What to change: [\s\S]*<code>password<\/code>/);
    expect(summaries.get('failure: no repository')!.text()).toMatch(/<code>repository<\/code>[\s\S]*<code>init: true<\/code>/);
    expect(summaries.get('failure: bad input')!.text()).toContain("input 'keep-last' must be a whole number, not &quot;&lt;x&gt;&quot;; password ***");
  });

  it('puts the figures of src/report/figures.ts in the backup summary', () => {
    const text = summaries.get('backup')!.text();
    expect(text).toMatch(/<td>Dedup ratio<\/td><td>[\d.]+x<\/td>/);
    expect(text).toMatch(/<td>Compression ratio<\/td><td>[\d.]+x<\/td>/);
    expect(summaries.get('backup, first of its paths')!.text()).toMatch(/<td>Dedup ratio<\/td><td>1(\.\d+)?x<\/td>/);
  });
});

describe('the validity check', () => {
  it('rejects what core.summary.addTable wrote for an empty cell: <th><th> and <td></tr>', () => {
    const old = core.summary
      .addTable([
        [
          { data: '', header: true },
          { data: 'Step', header: true },
        ],
        ['✅', ''],
      ])
      .stringify();
    core.summary.emptyBuffer();
    expect(old).toContain('<th><th>Step');
    expect(htmlProblems(old)).toHaveLength(2);
  });

  it('rejects misnested and unclosed tags', () => {
    expect(htmlProblems('<p><b><i>x</b></i></p>')).not.toEqual([]);
    expect(summaryProblems('<ul><li>one<li>two</ul>')).not.toEqual([]);
  });
});

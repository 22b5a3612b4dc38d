/**
 * A job summary drawn as GitHub draws it: the drill's summary, with its RTO and snapshot
 * age charts, through marked and Mermaid in headless Chromium. The page must become a
 * PNG of sane size, and Mermaid must have turned each chart block into an <svg>.
 * (scripts/render-summaries.ts renders every mode's summary the same way, to look at.)
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillSummary } from '../../src/action/summary/drill.ts';
import type { DrillReport } from '../../src/engine/index.ts';
import { pngSize, renderSummary } from '../helpers/summary-render.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const HOUR_MS = 3_600_000;

const report: DrillReport = {
  status: 'passed',
  steps: [
    { id: 'snapshot', title: 'Snapshot chosen', status: 'passed', detail: 'snapshot 1234abcd of runner' },
    { id: 'restore', title: 'Restore into scratch', status: 'passed', detail: '3 files restored', durationMs: 1200 },
    { id: 'command', title: 'Drill command', status: 'skipped', detail: 'no drill command given' },
  ],
  snapshotId: '1234abcd'.repeat(8),
  snapshotAgeMs: 2 * HOUR_MS,
  rtoMs: 1500,
  filesVerified: 3,
  bytesVerified: 500_000,
};
const history = [0, 1, 2, 3].map((d) => ({ timeMs: Date.UTC(2026, 0, 1 + d), status: 'passed' as const, rtoMs: 1500 + d * 250, snapshotAgeMs: (d + 1) * HOUR_MS }));

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('summary-render');
});
afterAll(async () => {
  await removeDir(tmp);
});

describe('a job summary rendered in Chromium', () => {
  it('becomes a PNG with the Mermaid charts drawn as SVG', async () => {
    const markdown = drillSummary(report, 'local:/repo', history).text();
    const charts = markdown.match(/```mermaid/g)?.length ?? 0;
    expect(charts).toBe(2);

    const { png, dom } = await renderSummary(markdown, path.join(tmp, 'drill'));

    const { width, height } = pngSize(await readFile(png));
    expect(width).toBe(1000);
    expect(height).toBe(1400);
    // Counts, not the DOM, in the assertions: the DOM holds all of Mermaid's inlined code.
    const drawn = [...dom.matchAll(/<pre class="mermaid"[^>]*>\s*<svg[^>]*aria-roledescription="xychart"/g)].length;
    expect(drawn).toBe(charts);
    expect(/<svg[^>]*aria-roledescription="error"/.test(dom)).toBe(false);
  }, 60_000);
});

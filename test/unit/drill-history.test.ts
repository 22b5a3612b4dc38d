/** The drill history beside the content cache: appended, capped to what a chart shows, and never in the way. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendDrillRecord, drillHistoryFile, loadDrillHistory } from '../../src/action/drill-history.ts';
import { MAX_CHART_POINTS } from '../../src/action/summary/chart-scale.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await makeTempDir('drill-history');
});
afterEach(() => removeDir(tmp));

describe('drill history', () => {
  it('sits beside the content cache, and nowhere without one', () => {
    expect(drillHistoryFile(path.join(tmp, 'repo-id', 'content-cache'))).toBe(path.join(tmp, 'repo-id', 'drill-history.json'));
    expect(drillHistoryFile(undefined)).toBeUndefined();
  });

  it('appends each drill and keeps the newest ones a chart shows', async () => {
    const file = path.join(tmp, 'repo-id', 'drill-history.json');
    for (let i = 0; i < MAX_CHART_POINTS + 5; i++) await appendDrillRecord(file, { timeMs: i, status: 'passed', rtoMs: 1000 + i });
    const history = await loadDrillHistory(file);
    expect(history).toHaveLength(MAX_CHART_POINTS);
    expect(history[0]!.timeMs).toBe(5);
    expect(history.at(-1)).toEqual({ timeMs: MAX_CHART_POINTS + 4, status: 'passed', rtoMs: 1000 + MAX_CHART_POINTS + 4 });
  });

  it('starts again from a damaged file, and only warns when it cannot write', async () => {
    const file = path.join(tmp, 'drill-history.json');
    await writeFile(file, '{not json');
    expect((await appendDrillRecord(file, { timeMs: 1, status: 'failed' })).history).toEqual([{ timeMs: 1, status: 'failed' }]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([{ timeMs: 1, status: 'failed' }]);
    await mkdir(path.join(tmp, 'blocked'));
    await writeFile(path.join(tmp, 'blocked', 'file'), '');
    const blocked = await appendDrillRecord(path.join(tmp, 'blocked', 'file', 'drill-history.json'), { timeMs: 2, status: 'passed' });
    expect(blocked.history).toEqual([{ timeMs: 2, status: 'passed' }]);
    expect(blocked.warning).toMatch(/^drill history not saved/);
  });
});

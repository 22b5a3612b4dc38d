/**
 * Past drills' figures, for the drill summary's charts. The repository format has no place
 * for them, so they are kept beside the content cache (`<cache>/<repository id>/`): on a
 * self-hosted runner that directory persists; for a remote repository it is the metadata
 * cache's directory, which the Actions cache carries to the next run whenever it saves it.
 * Losing the file loses only the charts, so reading and writing it never fail the drill.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { errorMessage } from '../engine/index.ts';
import { MAX_CHART_POINTS } from './summary/chart-scale.ts';

export interface DrillRecord {
  /** When the drill ran, ms since the epoch. */
  timeMs: number;
  status: 'passed' | 'failed';
  rtoMs?: number;
  snapshotAgeMs?: number;
}

const FILE_NAME = 'drill-history.json';

export function drillHistoryFile(contentCacheFile: string | undefined): string | undefined {
  return contentCacheFile ? path.join(path.dirname(contentCacheFile), FILE_NAME) : undefined;
}

function isRecord(v: unknown): v is DrillRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const optionalNumber = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isFinite(x));
  return typeof r.timeMs === 'number' && (r.status === 'passed' || r.status === 'failed') && optionalNumber(r.rtoMs) && optionalNumber(r.snapshotAgeMs);
}

/** The records kept so far, oldest first; none when the file is missing or unreadable. */
export async function loadDrillHistory(file: string): Promise<DrillRecord[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
  } catch {
    return [];
  }
}

/** Appends a record, keeps the newest ones a chart shows; returns them, or a warning when the file could not be written. */
export async function appendDrillRecord(file: string, record: DrillRecord): Promise<{ history: DrillRecord[]; warning?: string }> {
  const history = [...(await loadDrillHistory(file)), record].slice(-MAX_CHART_POINTS);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(history));
    await rename(temp, file);
    return { history };
  } catch (e) {
    return { history, warning: `drill history not saved (the next drill's charts will miss this one): ${errorMessage(e)}` };
  }
}

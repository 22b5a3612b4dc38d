/** The backup's summary: the snapshot's figures and, over the history of the same host and paths, what each backup added. */
import { formatBytes, formatCount, formatDuration, type BackupResult, type DumpError, type SnapshotEntry } from '../../engine/index.ts';
import { compressionText, dedupText } from '../../report/figures.ts';
import { chartTimeLabel, MAX_CHART_POINTS, bytesUnit } from './chart-scale.ts';
import { code, lines, SummaryDocument, type Content, type FigureRow } from './document.ts';

export interface BackupSummaryInput {
  result: BackupResult;
  host: string;
  location: string;
  tags: readonly string[];
  dumpCommand?: string;
  /** Source errors and unmatched sources, as lines. */
  errors: readonly string[];
  /** Snapshots of the same host and paths, oldest first, this one included. */
  history: readonly SnapshotEntry[];
}

export function backupSummary(b: BackupSummaryInput): SummaryDocument {
  const r = b.result;
  const s = r.stats;
  const files = s.filesNew + s.filesChanged + s.filesUnmodified;
  const status = b.errors.length === 0 ? '✅ Backup complete' : `⚠️ Backup complete with ${b.errors.length} error(s)`;
  const rows: FigureRow[] = [
    ['Snapshot', code(r.snapshotId)],
    ['Parent', r.parentId ? code(r.parentId.slice(0, 8)) : 'none (first backup of these paths on this host)'],
    ['Backed up', pathList(r.snapshot.paths)],
    ...(r.dump ? [['Dump', lines([code(r.dump.path), `${formatBytes(r.dump.bytes)} from`, code(b.dumpCommand ?? '')])] as FigureRow] : []),
    ['Files', `${formatCount(files)} (${formatCount(s.filesNew)} new, ${formatCount(s.filesChanged)} changed, ${formatCount(s.filesUnmodified)} unmodified)`],
    ['Processed', formatBytes(s.bytesProcessed)],
    ['New data', formatBytes(s.dataAdded)],
    ['Added (the repository grew by)', formatBytes(s.bytesAdded)],
    ['Dedup ratio', dedupText(s)],
    ['Compression ratio', compressionText(s)],
    ['Duration', formatDuration(s.durationMs)],
    ['Repository', code(b.location)],
    ...(b.tags.length ? [['Tags', b.tags.join(', ')] as FigureRow] : []),
  ];
  const doc = new SummaryDocument()
    .heading(`chunkvault: ${status}`)
    .paragraph(`Snapshot ${r.snapshotId.slice(0, 8)} of host ${b.host}: ${formatBytes(s.bytesProcessed)} processed, ${formatBytes(s.bytesAdded)} added in ${formatDuration(s.durationMs)}.`)
    .figures(rows);
  addHistoryChart(doc, b.history);
  if (b.errors.length > 0) doc.heading('Not backed up', 3).list(b.errors.slice(0, 50));
  return doc;
}

/**
 * Bars: what each backup added (its new blobs as stored); line: those additions summed
 * from the first one shown, the repository's growth by these backups. Snapshots without
 * a summary (restic before 0.17) are left out.
 */
function addHistoryChart(doc: SummaryDocument, history: readonly SnapshotEntry[]): void {
  const points = history.filter((e) => e.snapshot.summary).slice(-MAX_CHART_POINTS);
  if (points.length < 2) return;
  const added = points.map((e) => e.snapshot.summary!.dataAddedPacked);
  let sum = 0;
  const growth = added.map((a) => (sum += a));
  const { unit, scale } = bytesUnit(growth);
  doc.heading(`History: the last ${points.length} backups of these paths on this host`, 3).chart({
    title: 'Added by each backup (bars) and in total (line)',
    labels: points.map((e) => chartTimeLabel(Number(e.snapshot.time / 1_000_000n))),
    points: 'backups',
    yAxis: unit,
    series: [
      { kind: 'bar', values: added.map(scale) },
      { kind: 'line', values: growth.map(scale) },
    ],
  });
}

/** A failed dump: no snapshot; the command, how it ended, and its last error lines. */
export function dumpFailureSummary(command: string, e: DumpError): SummaryDocument {
  const ended = e.failure === 'start' ? 'could not be started' : e.signal ? `killed by ${e.signal}` : `exit status ${e.exitCode}`;
  const doc = new SummaryDocument()
    .heading('chunkvault: ❌ Dump failed, no snapshot written')
    .figures([
      ['Command', code(command)],
      ['Ended', e.failure === 'empty' ? `${ended}, but wrote nothing (an empty dump is refused unless allow-empty-dump: true)` : ended],
    ]);
  if (e.stderrTail.length > 0) doc.heading('Last lines of its standard error', 3).preformatted(e.stderrTail.join('\n'));
  return doc;
}

/** The snapshot's paths, a few of them when there are many. */
function pathList(paths: readonly string[]): Content {
  const shown: Content[] = paths.slice(0, 10).map(code);
  if (paths.length > shown.length) shown.push(`and ${paths.length - shown.length} more`);
  return lines(shown);
}

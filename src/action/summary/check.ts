/** The check's summary: verdict, what was checked and read, and the findings. */
import { formatBytes, formatCount, formatDuration, type CheckReport, type Finding } from '../../engine/index.ts';
import { code, SummaryDocument } from './document.ts';

/** Findings listed in the summary; the log has them all. */
const MAX_FINDINGS_SHOWN = 50;

export function findingLine(f: Finding): string {
  const files = f.paths?.length ? ` Affects: ${f.paths.slice(0, 10).join(', ')}${f.paths.length > 10 ? ', ...' : ''}` : '';
  return `${f.message}${files}`;
}

export function checkSummary(r: CheckReport, location: string, what: string): SummaryDocument {
  const title = r.errors.length === 0 ? '✅ Repository check passed' : `❌ Repository check found ${r.errors.length} error(s)`;
  const doc = new SummaryDocument()
    .heading(`chunkvault: ${title}`)
    .figures([
      ['Repository', code(location)],
      ['Data read', what],
      ['Snapshots checked', formatCount(r.snapshotsChecked)],
      ['Trees checked', formatCount(r.treesChecked)],
      ['Packs checked', formatCount(r.packsChecked)],
      ['Packs read', `${formatCount(r.packsRead)} (${formatBytes(r.bytesRead)})`],
      ['Errors', formatCount(r.errors.length)],
      ['Hints', formatCount(r.hints.length)],
      ['Duration', formatDuration(r.durationMs)],
    ]);
  const findings = [...r.errors, ...r.hints];
  if (findings.length > 0) {
    doc.heading('Findings', 3).list(findings.slice(0, MAX_FINDINGS_SHOWN).map((f) => `${f.severity === 'error' ? '❌' : 'ℹ️'} ${findingLine(f)}`));
    if (findings.length > MAX_FINDINGS_SHOWN) doc.paragraph(`${findings.length - MAX_FINDINGS_SHOWN} more: see the log.`);
  }
  return doc;
}

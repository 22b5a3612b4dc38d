/** Small helpers for the job summary's HTML. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export function code(s: string): string {
  return `<code>${escapeHtml(s)}</code>`;
}

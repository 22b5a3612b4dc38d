/** `key list` as restic 0.14 prints it, for the CLI and the action alike. */
import { parseTime, shortId, type KeyInfo } from '../engine/index.ts';

/** A key's creation time as restic lists it: local time, whole seconds (`2026-12-05 23:45:21`). */
export function keyCreatedText(created: string): string {
  let ms: number;
  try {
    ms = Number(parseTime(created) / 1_000_000n);
  } catch {
    return created;
  }
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** restic 0.14's `key list --json`: short ids, `current`, `userName`, `hostName`, `created` in local time. */
export function keyListJson(keys: readonly KeyInfo[]): string {
  return JSON.stringify(
    keys.map((k) => ({ current: k.current, id: shortId(k.id), userName: k.username, hostName: k.hostname, created: keyCreatedText(k.created) })),
  );
}

/** restic 0.14's `key list` table: the key in use marked with `*`, rules above and below the rows. */
export function keyListTable(keys: readonly KeyInfo[]): string {
  const head = [' ID', 'User', 'Host', 'Created'];
  const rows = keys.map((k) => [`${k.current ? '*' : ' '}${shortId(k.id)}`, k.username, k.hostname, keyCreatedText(k.created)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const lines = [line(head), ...rows.map(line)];
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0], rule, ...lines.slice(1), rule].join('\n');
}

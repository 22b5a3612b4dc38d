import { formatBytes, listSnapshots } from '../../engine/index.ts';
import { snapshotTimeText } from '../../report/snapshot-time.ts';
import { snapshotJson } from '../../report/snapshot-json.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const SNAPSHOTS_HELP = `chunkvault snapshots: list snapshots

Usage: chunkvault snapshots -r REPO [--host H] [--tag T] [--path P] [--json]`;

export async function runSnapshots(
  g: GlobalOptions,
  args: { host?: string[]; tag?: string[]; path?: string[] },
  out: Output,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<number> {
  const repo = await openRepository(g, env, { signal });
  const list = await listSnapshots(repo, { hosts: args.host, tags: args.tag, paths: args.path }, { signal });
  if (g.json) {
    out.result(JSON.stringify(list.map(snapshotJson)));
    return 0;
  }
  const rows = list.map((s) => [
    s.id.slice(0, 8),
    snapshotTimeText(s.snapshot.time),
    s.snapshot.hostname ?? '',
    (s.snapshot.tags ?? []).join(','),
    s.snapshot.summary ? formatBytes(s.snapshot.summary.totalBytesProcessed) : '',
    s.snapshot.paths.join(', '),
  ]);
  out.result(table(['ID', 'Time', 'Host', 'Tags', 'Size', 'Paths'], rows));
  out.result(`${list.length} snapshot${list.length === 1 ? '' : 's'}`);
  return 0;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

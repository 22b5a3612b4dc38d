/**
 * The job summary of every action mode, built from results the engine returns for an
 * in-memory repository with a short history (three backups a day apart), and of the
 * failures the action reports. For the validity test and scripts/render-summaries.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MemoryBackend } from '../../src/backends/memory.ts';
import {
  addKey,
  backup,
  check,
  ChunkvaultError,
  errorMessage,
  copy,
  diff,
  drill,
  DumpError,
  ErrorCode,
  forget,
  listKeys,
  ls,
  parsePolicy,
  prune,
  Repository,
  restore,
  stats,
  tag,
  unlock,
  type BackupResult,
  type DiffChange,
} from '../../src/engine/index.ts';
import { backupSummary, dumpFailureSummary } from '../../src/action/summary/backup.ts';
import { checkSummary } from '../../src/action/summary/check.ts';
import { copySummary } from '../../src/action/summary/copy.ts';
import { diffSummary } from '../../src/action/summary/diff.ts';
import type { SummaryDocument } from '../../src/action/summary/document.ts';
import { drillSummary } from '../../src/action/summary/drill.ts';
import { failureSummary } from '../../src/action/summary/failure.ts';
import { forgetSummary } from '../../src/action/summary/forget.ts';
import { keyAddedSummary, keyListSummary } from '../../src/action/summary/key.ts';
import { lsSummary } from '../../src/action/summary/ls.ts';
import { pruneSummary } from '../../src/action/summary/prune.ts';
import { restoreSummary } from '../../src/action/summary/restore.ts';
import { snapshotsSummary } from '../../src/action/summary/snapshots.ts';
import { statsSummary } from '../../src/action/summary/stats.ts';
import { tagSummary } from '../../src/action/summary/tag.ts';
import { unlockSummary } from '../../src/action/summary/unlock.ts';
import { pseudoRandomBytes } from './data.ts';


const FAST_KDF = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'pw-Xq9-secret';
/** Text a summary must escape: it comes from the repository and the inputs. */
export const HOSTILE_HOST = 'runner <b>&"1"';
export const HOSTILE_TAG = '<img src=x onerror=alert(1)>';
const DAY_MS = 86_400_000;
/** Every action mode, and the failures with a summary of their own. */
export const SUMMARY_NAMES = [
  'backup',
  'backup, first of its paths',
  'backup, dump failed',
  'restore',
  'drill',
  'check',
  'snapshots',
  'snapshots, none',
  'ls',
  'diff',
  'stats',
  'key list',
  'key add',
  'tag',
  'unlock',
  'copy',
  'forget+prune, dry run',
  'forget+prune',
  'prune',
  'failure: wrong password',
  'failure: no repository',
  'failure: bad input',
];

export async function buildModeSummaries(tmp: string): Promise<Map<string, SummaryDocument>> {
  const summaries = new Map<string, SummaryDocument>();
  const source = path.join(tmp, 'data <&>');
  await mkdir(source, { recursive: true });
  await writeFile(path.join(source, 'big.bin'), pseudoRandomBytes(300_000, 1));
  await writeFile(path.join(source, 'small.txt'), 'one\n');
  const repo = await Repository.init(new MemoryBackend('summaries'), PASSWORD, { kdf: FAST_KDF });
  const backups: BackupResult[] = [];
  const backupAt = (day: number) =>
    backup(repo, { targets: [source], baseDir: tmp, hostname: HOSTILE_HOST, tags: [HOSTILE_TAG], time: new Date(Date.UTC(2026, 0, 1) + day * DAY_MS) });
  backups.push(await backupAt(0));
  await writeFile(path.join(source, 'small.txt'), 'two\n');
  backups.push(await backupAt(1));
  await writeFile(path.join(source, 'more.bin'), pseudoRandomBytes(200_000, 2));
  backups.push(await backupAt(2));
  const location = 'memory:summaries';
  const history = await repo.listSnapshots();
  history.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : 1));

  const last = backups[2]!;
  summaries.set('backup', backupSummary({ result: last, host: HOSTILE_HOST, location, tags: [HOSTILE_TAG], errors: ['source \'x<y\' matched nothing'], history }));
  summaries.set('backup, first of its paths', backupSummary({ result: backups[0]!, host: HOSTILE_HOST, location, tags: [], errors: [], history: history.slice(0, 1) }));
  summaries.set(
    'backup, dump failed',
    dumpFailureSummary('pg_dump <db>', new DumpError('exit', 'pg_dump', { exitCode: 2, signal: null, stderrTail: ['pg_dump: error: <no> connection'] })),
  );
  summaries.set('restore', restoreSummary(await restore(repo, { snapshot: 'latest', target: path.join(tmp, 'restored') }), location));
  const drilled = await drill(repo, { scratchParent: tmp, startedAt: Date.now() });
  const pastDrills = [0, 1, 2].map((d) => ({ timeMs: Date.UTC(2026, 0, 3 + d), status: 'passed' as const, rtoMs: 1500 + d * 100, snapshotAgeMs: (d + 1) * 3_600_000 }));
  summaries.set('drill', drillSummary(drilled, location, pastDrills));
  summaries.set('check', checkSummary(await check(repo, {}), location, 'structure only'));
  summaries.set('snapshots', snapshotsSummary(history));
  summaries.set('snapshots, none', snapshotsSummary([]));
  const counts = { files: 0, dirs: 0, other: 0, bytes: 0 };
  const listed = await ls(repo, { snapshot: 'latest', recursive: true, onNode: (_p, n) => void (n.type === 'file' ? counts.files++ : counts.dirs++) });
  summaries.set('ls', lsSummary(listed.id, [source], counts));
  const changes: DiffChange[] = [];
  summaries.set('diff', diffSummary(await diff(repo, backups[0]!.snapshotId, last.snapshotId, { onChange: (c) => void changes.push(c) }), changes));
  summaries.set('stats', statsSummary(await stats(repo, { mode: 'restore-size' }), location));
  summaries.set('key list', keyListSummary(await listKeys(repo), location));
  summaries.set('key add', keyAddedSummary(await addKey(repo, 'another'), location));
  summaries.set('tag', tagSummary(await tag(repo, { add: ['<new>'], snapshots: [backups[0]!.snapshotId] })));
  summaries.set('unlock', unlockSummary(await unlock(repo, {}), location));
  const destination = await Repository.init(new MemoryBackend('copy'), PASSWORD, { kdf: FAST_KDF });
  summaries.set('copy', copySummary(await copy(repo, destination, {}), location, 'memory:copy'));
  summaries.set('forget+prune, dry run', forgetSummary(await forget(repo, { policy: parsePolicy({ keepLast: '1' }), dryRun: true, prune: {} }), location));
  summaries.set('forget+prune', forgetSummary(await forget(repo, { policy: parsePolicy({ keepLast: '1' }), prune: {} }), location));
  summaries.set('prune', pruneSummary(await prune(repo, {}), location));
  const wrongPassword = await Repository.open(repo.backend, 'wrong').catch((e: unknown) => e);
  summaries.set('failure: wrong password', failureSummary('backup', wrongPassword, errorMessage(wrongPassword), [PASSWORD]));
  const missing = await Repository.open(new MemoryBackend('empty'), PASSWORD).catch((e: unknown) => e);
  summaries.set('failure: no repository', failureSummary('restore', missing, errorMessage(missing), [PASSWORD]));
  const badInput = new ChunkvaultError(ErrorCode.InvalidInput, `input 'keep-last' must be a whole number, not "<x>"; password ${PASSWORD}`);
  summaries.set('failure: bad input', failureSummary('forget', badInput, badInput.message, [PASSWORD]));
  return summaries;
}


/**
 * Snapshot histories for retention tests: deterministic generated histories (years of
 * snapshots, several hosts, paths and tag sets, odd times and UTC offsets), written
 * straight into a real restic repository as snapshot files that point at one tree made
 * by a real `restic backup`, so restic's own `forget` can judge the same history.
 */
import { seededRandom } from '../../src/engine/support/seeded-random.ts';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LocalBackend } from '../../src/backends/local.ts';
import { formatTime, parseTime, serializeSnapshot, type Snapshot } from '../../src/engine/format/index.ts';
import type { Id } from '../../src/engine/format/id.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { recordedOffsetSeconds, type RetentionEntry } from '../../src/engine/retention/index.ts';
import { restic } from './restic.ts';
import { initCheapRepository } from './cheap-repository.ts';

/** One snapshot to write: its time exactly as it will appear in the file (RFC 3339 with `Z` or an offset). */
export interface SnapshotSpec {
  time: string;
  hostname: string;
  paths: string[];
  tags?: string[];
}


const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 text of an instant (ms since the epoch, plus extra ns) seen at a UTC offset ('Z' when undefined). */
export function timeText(epochMs: number, offsetSeconds: number | undefined, extraNs = 0): string {
  const local = new Date(epochMs + (offsetSeconds ?? 0) * 1000);
  const ns = local.getUTCMilliseconds() * 1_000_000 + extraNs;
  let s =
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (ns !== 0) s += '.' + String(ns).padStart(9, '0').replace(/0+$/, '');
  if (offsetSeconds === undefined) return s + 'Z';
  const abs = Math.abs(offsetSeconds);
  return s + (offsetSeconds < 0 ? '-' : '+') + pad(Math.floor(abs / 3600)) + ':' + pad(Math.floor(abs / 60) % 60);
}

export const HOSTS = ['alpha', 'beta', 'gamma'];
/** Unsorted on purpose: restic groups by the sorted list. */
export const PATH_SETS = [['/srv/app'], ['/srv/db', '/etc'], ['/etc', '/srv/db'], ['/home/u', '/home/u']];
/** Same tags in another order, duplicates, none. */
export const TAG_SETS: (string[] | undefined)[] = [undefined, ['nightly'], ['weekly', 'db'], ['db', 'weekly'], ['manual'], ['nightly', 'nightly'], ['db']];
/** Offsets restic might have recorded (seconds east of UTC); undefined is `Z`. */
export const OFFSETS: (number | undefined)[] = [undefined, undefined, undefined, 0, 19_800, -28_800, 50_400, -43_200, 20_700, 3_600, -18_000];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A history of `count` snapshots between `fromMs` and `toMs`: nightly-ish series with
 * gaps for one host, path set and usually one tag set, bursts of several snapshots within
 * an hour or a day, and scattered ones; random offsets and sub-second parts. No two
 * snapshots share an instant (restic orders equal times as it happens to load them).
 */
export function generateHistory(seed: number, count: number, fromMs: number, toMs: number): SnapshotSpec[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const specs: SnapshotSpec[] = [];
  const usedSeconds = new Set<number>();
  const add = (epochMs: number, hostname: string, paths: string[], tags: string[] | undefined, offset: number | undefined) => {
    let seconds = Math.round(epochMs / 1000);
    while (usedSeconds.has(seconds)) seconds++;
    usedSeconds.add(seconds);
    const extraNs = random() < 0.2 ? Math.floor(random() * 999_999_999) : 0;
    specs.push({ time: timeText(seconds * 1000, offset, extraNs), hostname, paths, ...(tags ? { tags } : {}) });
  };
  const randomGroup = () => [pick(HOSTS), pick(PATH_SETS), pick(TAG_SETS), pick(OFFSETS)] as const;
  while (specs.length < count) {
    const kind = random();
    const [host, paths, tags, offset] = randomGroup();
    const start = fromMs + random() * (toMs - fromMs);
    if (kind < 0.5) {
      // a nightly series of up to 30 nights, sometimes skipping some, now and then another tag set
      let t = start;
      for (let i = 0; i < 30 && t < toMs && specs.length < count; i++) {
        if (random() > 0.15) add(t + (random() - 0.5) * 2 * HOUR_MS, host, paths, random() < 0.1 ? pick(TAG_SETS) : tags, offset);
        t += DAY_MS * (random() < 0.9 ? 1 : 3);
      }
    } else if (kind < 0.7) {
      // a burst within an hour or a day
      const span = random() < 0.5 ? HOUR_MS : DAY_MS;
      for (let i = 0; i < 6 && specs.length < count; i++) add(start + random() * span, host, paths, tags, offset);
    } else {
      add(start, host, paths, tags, offset);
    }
  }
  return specs;
}

/** A repository (cheap key; data written by restic) with one real tree to point snapshots at and no snapshots. */
export interface SnapshotRepository {
  dir: string;
  repo: string;
  password: string;
  tree: Id;
  /** restic's environment options for runRestic / restic. */
  resticOptions: { repo: string; password: string; cacheDir: string };
}

export async function createSnapshotRepository(dir: string, password = 'retention'): Promise<SnapshotRepository> {
  const repo = path.join(dir, 'repo');
  const source = path.join(dir, 'tiny');
  const resticOptions = { repo, password, cacheDir: dir };
  await mkdir(source, { recursive: true });
  await writeFile(path.join(source, 'hello.txt'), 'hello\n');
  await initCheapRepository(repo, password);
  await restic(['backup', '--quiet', source], resticOptions);
  const [made] = JSON.parse(await restic(['snapshots', '--json'], resticOptions)) as { id: string; tree: string }[];
  // Only its tree is wanted: the snapshot itself would join every history.
  await rm(path.join(repo, 'snapshots', made!.id), { force: true });
  return { dir, repo, password, tree: made!.tree, resticOptions };
}

/** Removes every snapshot file, so the repository can take the next history. */
export async function clearSnapshots(r: SnapshotRepository): Promise<void> {
  const dir = path.join(r.repo, 'snapshots');
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { force: true });
}

/**
 * Writes snapshot files with our engine (time text kept byte for byte, offset included)
 * and returns them as retention entries, in the order given.
 */
export async function writeSnapshots(r: SnapshotRepository, specs: readonly SnapshotSpec[]): Promise<RetentionEntry[]> {
  const repository = await Repository.open(new LocalBackend(r.repo), r.password);
  const entries: RetentionEntry[] = [];
  for (const spec of specs) {
    const snapshot: Snapshot = {
      time: parseTime(spec.time),
      tree: r.tree,
      paths: spec.paths,
      hostname: spec.hostname,
      username: 'ci',
      ...(spec.tags ? { tags: spec.tags } : {}),
    };
    const utc = `{"time":"${formatTime(snapshot.time)}"`;
    const json = new TextDecoder().decode(serializeSnapshot(snapshot));
    if (!json.startsWith(utc)) throw new Error(`unexpected snapshot JSON ${json}`);
    const bytes = new TextEncoder().encode(`{"time":"${spec.time}"` + json.slice(utc.length));
    const { id } = await repository.saveUnpacked('snapshot', bytes);
    const offset = recordedOffsetSeconds(spec.time);
    entries.push(offset === undefined ? { id, snapshot } : { id, snapshot, recordedOffsetSeconds: offset });
  }
  return entries;
}

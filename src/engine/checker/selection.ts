/**
 * Which packs `check --read-data*` reads, chosen exactly as restic 0.14 chooses them
 * (cmd/restic/cmd_check.go): `n/t` takes the packs whose first id byte mod t is n-1, so
 * `1/t` … `t/t` read every pack once and agree with restic; `x%` takes
 * ⌊count·x/100⌋ packs (at least one) at random. Selection is over the packs the index
 * names, missing ones included.
 */
import { seededRandom } from '../support/seeded-random.ts';
import { randomInt } from 'node:crypto';
import { invalidInput } from '../errors.ts';
import type { Id } from '../format/id.ts';

export type ReadDataSelection =
  | { kind: 'all' }
  | { kind: 'subset'; n: number; t: number }
  /** `seed` makes the random choice reproducible; restic seeds from the clock. */
  | { kind: 'percent'; percent: number; seed?: number };

/** restic's limit on t: the bucket is taken from the first byte of the pack id. */
export const MAX_SUBSET_BUCKETS = 256;

/**
 * Groups for a rolling subset (`auto`): run k reads group (k mod t) + 1, so any 8
 * consecutive scheduled runs read the whole repository. 8 divides 256, so the groups
 * are the same size (a 32-value slice of the first id byte each).
 */
export const ROLLING_SUBSET_BUCKETS = 8;

/** The rolling subset for a run number (e.g. GITHUB_RUN_NUMBER). */
export function rollingSubset(runNumber: number, buckets = ROLLING_SUBSET_BUCKETS): ReadDataSelection {
  if (!Number.isSafeInteger(runNumber) || runNumber < 0) throw invalidInput(`run number must be a non-negative integer; got ${runNumber}`);
  const sel: ReadDataSelection = { kind: 'subset', n: (runNumber % buckets) + 1, t: buckets };
  validateSelection(sel);
  return sel;
}

/** Throws InvalidInput with restic's rules for a selection that restic would refuse. */
export function validateSelection(sel: ReadDataSelection, what = 'read-data-subset'): void {
  if (sel.kind === 'subset') {
    const { n, t } = sel;
    if (!Number.isSafeInteger(n) || !Number.isSafeInteger(t) || n < 1 || t < 1 || n > t) {
      throw invalidInput(`${what}: '${n}/${t}' is not a subset: n/t needs whole numbers with 1 <= n <= t, e.g. 1/5`);
    }
    if (t > MAX_SUBSET_BUCKETS) throw invalidInput(`${what}: '${n}/${t}' is not a subset: t must be at most ${MAX_SUBSET_BUCKETS}`);
  } else if (sel.kind === 'percent') {
    if (!Number.isFinite(sel.percent) || sel.percent <= 0 || sel.percent > 100) {
      throw invalidInput(`${what}: '${sel.percent}%' is not a subset: x% needs x above 0 and at most 100`);
    }
    if (sel.seed !== undefined && !Number.isSafeInteger(sel.seed)) throw invalidInput(`${what}: the seed must be an integer; got ${sel.seed}`);
  }
}

/**
 * Parses restic's `--read-data-subset` spelling: `n/t` or `x%` (`x.y%` too), plus `auto`,
 * the rolling subset for `runNumber`. restic's size form (`500M`) is not supported.
 */
export function parseReadDataSubset(spec: string, opts: { runNumber?: number | string; buckets?: number; what?: string } = {}): ReadDataSelection {
  const s = spec.trim();
  const what = opts.what ?? 'read-data-subset';
  if (s === 'auto') {
    const run = typeof opts.runNumber === 'string' ? (/^\d+$/.test(opts.runNumber.trim()) ? Number(opts.runNumber.trim()) : NaN) : opts.runNumber;
    if (run === undefined || Number.isNaN(run)) {
      throw invalidInput(`${what}: 'auto' needs a run number (GITHUB_RUN_NUMBER) to pick the group; got ${JSON.stringify(opts.runNumber ?? null)}`);
    }
    return rollingSubset(run, opts.buckets);
  }
  const part = /^(\d+)\/(\d+)$/.exec(s);
  if (part) {
    const sel: ReadDataSelection = { kind: 'subset', n: Number(part[1]), t: Number(part[2]) };
    validateSelection(sel, what);
    return sel;
  }
  const pct = /^(\d+(?:\.\d*)?|\.\d+)%$/.exec(s);
  if (pct) {
    const sel: ReadDataSelection = { kind: 'percent', percent: Number(pct[1]) };
    validateSelection(sel, what);
    return sel;
  }
  throw invalidInput(`${what}: '${spec}' is not a subset: use n/t (e.g. 2/5), x% (e.g. 10%) or auto`);
}

/** The packs to read, sorted by id. */
export function selectPacks(packIds: Iterable<Id>, sel: ReadDataSelection): Id[] {
  validateSelection(sel);
  const all = [...packIds].sort();
  switch (sel.kind) {
    case 'all':
      return all;
    case 'subset':
      return all.filter((id) => parseInt(id.slice(0, 2), 16) % sel.t === sel.n - 1);
    case 'percent': {
      let count = Math.trunc(all.length * (sel.percent / 100));
      if (all.length > 0 && count < 1) count = 1;
      // A partial Fisher-Yates shuffle: the first `count` places get a uniform sample.
      const next = seededRandom(sel.seed ?? randomInt(2 ** 32));
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(next() * (all.length - i));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all.slice(0, count).sort();
    }
  }
}

/** "all packs", "group 2 of 8", "10% of packs": for logs. */
export function describeSelection(sel: ReadDataSelection): string {
  switch (sel.kind) {
    case 'all':
      return 'all packs';
    case 'subset':
      return `group ${sel.n} of ${sel.t}`;
    case 'percent':
      return `${sel.percent}% of packs`;
  }
}


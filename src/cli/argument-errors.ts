/**
 * Command-line mistakes in the CLI's words. Node's parseArgs refuses them with its own
 * text ("argument is ambiguous", "Unknown option"), which names neither the fix nor where
 * help is; this reads the arguments again with the same flag table and says which flag is
 * wrong and what to do, in one line.
 */

interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}
type FlagTable = Readonly<Record<string, FlagSpec>>;

/** A value that starts with a dash and is a number (`--keep-last -3`): a value, not a flag. */
const NEGATIVE_NUMBER = /^-\d/;

/**
 * The arguments with `--flag -3` written as `--flag=-3`, so that parseArgs takes a negative
 * number as the value it is (and the flag's own check can say why it is wrong) instead of
 * calling it ambiguous.
 */
export function joinNegativeValues(args: readonly string[], flags: FlagTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    const name = flagName(arg, flags);
    const next = args[i + 1];
    if (name !== undefined && !arg.includes('=') && flags[name]!.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** One line that names the flag parseArgs refused and what to do; Node's text when no flag is to blame. */
export function describeArgumentError(args: readonly string[], flags: FlagTable, command: string, nodeMessage: string): string {
  const help = `see 'chunkvault ${command} --help'`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = flagName(arg, flags);
    const written = arg.split('=')[0]!;
    if (name === undefined) {
      const near = nearestFlag(written.replace(/^-+/, ''), flags);
      return `unknown flag ${written}${near ? ` (did you mean --${near}?)` : ''}; ${help}`;
    }
    const spec = flags[name]!;
    if (spec.type === 'boolean') {
      if (arg.includes('=')) return `--${name} takes no value, got '${arg.slice(arg.indexOf('=') + 1)}': give ${written} alone to turn it on; ${help}`;
      continue;
    }
    if (arg.includes('=') || (written.length > 2 && !written.startsWith('--'))) continue;
    const next = args[i + 1];
    if (next === undefined) return `${written} needs a value; ${help}`;
    if (next.startsWith('-') && next !== '-') return `${written} needs a value, but ${next} follows it (to give a value starting with '-', write ${written}=${next}); ${help}`;
    i++;
  }
  return `${nodeMessage.split('\n')[0]}; ${help}`;
}

/** The long name of a flag argument (`--repo`, `--repo=x`, `-r`), undefined for one the table lacks. */
function flagName(arg: string, flags: FlagTable): string | undefined {
  if (arg.startsWith('--')) {
    const name = arg.slice(2).split('=')[0]!;
    return name in flags ? name : undefined;
  }
  if (arg.startsWith('-') && arg.length >= 2) {
    const short = arg[1]!;
    return Object.keys(flags).find((name) => flags[name]!.short === short);
  }
  return undefined;
}

/** The flag a misspelling most likely meant: at most two edits away, else none. */
function nearestFlag(written: string, flags: FlagTable): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(flags)) {
    const d = editDistance(written, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (hsot → host is one). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

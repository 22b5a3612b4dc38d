/**
 * Path patterns with restic's meaning (its internal/filter), for backup excludes and
 * restore includes alike:
 * - a pattern is split into components; one starting with `/` is anchored at the root,
 *   any other matches a run of consecutive components anywhere in the absolute path
 *   (`node_modules`, `a/b` matches `/x/a/b` and `/x/a/b/c`);
 * - each component is a Go filepath.Match glob (glob.ts); `**` stands for any number
 *   of components;
 * - a leading `!` negates: a later negated pattern takes back what earlier ones matched.
 * Malformed patterns are refused when parsed, all of them named at once, as restic does.
 */
import { invalidInput } from '../errors.ts';
import { goPathClean } from '../format/go-path.ts';
import { BadGlobError, compileGlob } from './glob.ts';

type Part = { kind: 'any' } | { kind: 'text'; text: string } | { kind: 'glob'; re: RegExp };

interface Pattern {
  readonly source: string;
  readonly negated: boolean;
  readonly parts: readonly Part[];
}

export interface PathPatterns {
  /** The patterns as given (blank ones dropped). */
  readonly sources: readonly string[];
  /** Whether an absolute path is matched (restic's filter.List). */
  matches(absolutePath: string): boolean;
  /** The same, and whether something below the path could still match (filter.ListWithChild). */
  matchesWithChild(absolutePath: string): { matched: boolean; childMayMatch: boolean };
}

export interface PatternOptions {
  /** restic's --iexclude / --iinclude: patterns and paths compared in lower case. */
  ignoreCase?: boolean;
}

const STAR: Part = { kind: 'glob', re: /^[^/]*$/su };
const GLOB_CHARS = /[\\[\]*?]/;

/**
 * Parses patterns; `what` names them in errors (`exclude`, `include`), so that a
 * user sees which flag or input holds the bad one.
 */
export function parsePathPatterns(sources: readonly string[], what: string, opts: PatternOptions = {}): PathPatterns {
  const kept = sources.filter((s) => s.length > 0);
  const invalid: string[] = [];
  const patterns: Pattern[] = [];
  for (const source of kept) {
    try {
      patterns.push(parsePattern(opts.ignoreCase ? source.toLowerCase() : source, source));
    } catch (e) {
      if (!(e instanceof BadGlobError)) throw e;
      invalid.push(`${JSON.stringify(source)} (${e.message})`);
    }
  }
  if (invalid.length > 0) {
    throw invalidInput(`${what}: invalid pattern${invalid.length > 1 ? 's' : ''} ${invalid.join(', ')}`);
  }
  const prepare = (p: string) => splitPath(opts.ignoreCase ? p.toLowerCase() : p);
  return {
    sources: kept,
    matches: (p) => list(patterns, false, prepare(p)).matched,
    matchesWithChild: (p) => list(patterns, true, prepare(p)),
  };
}

function parsePattern(text: string, source: string): Pattern {
  const negated = text.startsWith('!');
  const parts = splitPath(goPathClean(negated ? text.slice(1) : text)).map((component): Part => {
    // An empty component (only in the pattern "/") is restic's wildcard marker too.
    if (component === '**' || component === '') return { kind: 'any' };
    if (!GLOB_CHARS.test(component)) return { kind: 'text', text: component };
    return { kind: 'glob', re: compileGlob(component) };
  });
  return { source, negated, parts };
}

/** Components of a path; an absolute path's first component is "/". */
function splitPath(p: string): string[] {
  if (p === '/') return ['/'];
  const parts = p.split('/');
  if (parts[0] === '') parts[0] = '/';
  return parts;
}

function list(patterns: readonly Pattern[], checkChild: boolean, strs: readonly string[]): { matched: boolean; childMayMatch: boolean } {
  let matched = false;
  let childMayMatch = false;
  const anyNegated = patterns.some((p) => p.negated);
  for (const p of patterns) {
    const m = match(p.parts, strs);
    const c = checkChild ? childMatch(p.parts, strs) : true;
    if (p.negated) {
      matched = matched && !m;
      childMayMatch = childMayMatch && !m;
    } else {
      matched = matched || m;
      childMayMatch = childMayMatch || c;
      if (matched && childMayMatch && !anyNegated) break;
    }
  }
  return { matched, childMayMatch };
}

function partMatches(part: Part, component: string): boolean {
  if (part.kind === 'text') return part.text === component;
  if (part.kind === 'glob') return part.re.test(component);
  return true;
}

function match(parts: readonly Part[], strs: readonly string[]): boolean {
  const wildcard = parts.findIndex((p) => p.kind === 'any');
  if (wildcard >= 0) {
    // `**` stands for 0, 1, 2, ... components: try each as that many `*`.
    for (let n = 0; n <= strs.length - parts.length + 1; n++) {
      const expanded = [...parts.slice(0, wildcard), ...Array<Part>(n).fill(STAR), ...parts.slice(wildcard + 1)];
      if (match(expanded, strs)) return true;
    }
    return false;
  }
  if (parts.length === 0) return strs.length === 0;
  if (parts.length > strs.length) return false;
  const anchored = parts[0]!.kind === 'text' && (parts[0] as { text: string }).text === '/';
  const maxOffset = anchored ? 0 : strs.length - parts.length;
  // A relative pattern never matches the root marker of an absolute path.
  const minOffset = !anchored && strs[0] === '/' ? 1 : 0;
  outer: for (let offset = maxOffset; offset >= minOffset; offset--) {
    for (let i = parts.length - 1; i >= 0; i--) if (!partMatches(parts[i]!, strs[offset + i]!)) continue outer;
    return true;
  }
  return false;
}

function childMatch(parts: readonly Part[], strs: readonly string[]): boolean {
  const first = parts[0];
  if (!(first?.kind === 'text' && first.text === '/')) return true; // a relative pattern may match at any depth
  const wildcard = parts.findIndex((p) => p.kind === 'any');
  const cut = wildcard >= 0 && strs.length >= wildcard ? strs.slice(0, wildcard) : strs;
  return match(parts.slice(0, Math.min(cut.length, parts.length)), cut);
}

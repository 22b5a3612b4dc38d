/**
 * Include patterns for a partial restore, with restic's meaning: a pattern is matched
 * component by component against the absolute path a node has in the snapshot.
 * - `/srv/app/config` (absolute) is anchored at the root; `config` or `app/*.yml`
 *   (relative) may match starting at any component.
 * - A pattern matches a path when it matches a leading part of it, so a matching
 *   directory includes everything below it.
 * - Within a component, Go's filepath.Match syntax: `*`, `?`, `[a-z]`, `[^a-z]`, `\`
 *   escapes. `**` as a whole component matches any number of components.
 * Directories that do not match are still entered when some pattern could match below
 * them (`childMayMatch`); the restorer creates them as parents of what matches.
 */
import * as path from 'node:path';
import { invalidInput } from '../errors.ts';

type Segment = { kind: 'any' } | { kind: 'glob'; re: RegExp };

interface CompiledPattern {
  readonly source: string;
  readonly absolute: boolean;
  readonly segments: readonly Segment[];
}

export interface IncludeMatcher {
  /** Whether the node at this absolute snapshot path is selected. */
  matches(absolutePath: string): boolean;
  /** Whether something below this directory could be selected. */
  childMayMatch(absoluteDirPath: string): boolean;
}

/** Every path matches: a full restore. */
export const INCLUDE_ALL: IncludeMatcher = { matches: () => true, childMayMatch: () => true };

/**
 * Compiles restic-style include patterns; none (or only blank ones) selects everything.
 * `what` names the patterns in error messages (find's are search patterns).
 */
export function compileIncludes(patterns: readonly string[], what = 'include pattern'): IncludeMatcher {
  const compiled = patterns
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => compilePattern(p, what));
  if (compiled.length === 0) return INCLUDE_ALL;
  return {
    matches: (p) => {
      const parts = splitPath(p);
      return compiled.some((c) => patternMatches(c, parts));
    },
    childMayMatch: (p) => {
      const parts = splitPath(p);
      return compiled.some((c) => patternMayMatchBelow(c, parts));
    },
  };
}

function compilePattern(raw: string, what: string): CompiledPattern {
  let cleaned = path.posix.normalize(raw);
  if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
  const absolute = cleaned.startsWith('/');
  const parts = cleaned.split('/').filter((s, i) => !(i === 0 && s === '' && absolute));
  const segments = parts.map((part): Segment => (part === '**' ? { kind: 'any' } : { kind: 'glob', re: globToRegExp(part, raw, what) }));
  return { source: raw, absolute, segments };
}

/** `/a/b/c` → ['a', 'b', 'c']; the root is []. */
function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}

function patternMatches(p: CompiledPattern, parts: readonly string[]): boolean {
  if (p.segments.length === 0) return true; // the pattern "/" selects everything
  if (p.absolute) return matchFrom(p.segments, 0, parts, 0);
  for (let start = 0; start < parts.length; start++) if (matchFrom(p.segments, 0, parts, start)) return true;
  return false;
}

/** Whether segments[si..] match a leading part of parts[pi..]. */
function matchFrom(segments: readonly Segment[], si: number, parts: readonly string[], pi: number): boolean {
  if (si === segments.length) return true;
  const seg = segments[si]!;
  if (seg.kind === 'any') {
    for (let k = pi; k <= parts.length; k++) if (matchFrom(segments, si + 1, parts, k)) return true;
    return false;
  }
  if (pi === parts.length) return false;
  return seg.re.test(parts[pi]!) && matchFrom(segments, si + 1, parts, pi + 1);
}

function patternMayMatchBelow(p: CompiledPattern, dirParts: readonly string[]): boolean {
  if (!p.absolute) return true; // a relative pattern can match at any depth
  for (let i = 0; i < dirParts.length; i++) {
    const seg = p.segments[i];
    if (seg === undefined) return true; // the directory itself matches
    if (seg.kind === 'any') return true;
    if (!seg.re.test(dirParts[i]!)) return false;
  }
  return true;
}

/** Go filepath.Match syntax for one path component, as an anchored RegExp. */
function globToRegExp(glob: string, pattern: string, what: string): RegExp {
  const bad = (why: string) => invalidInput(`${what} ${JSON.stringify(pattern)}: ${why}`);
  const chars = Array.from(glob);
  let re = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) throw bad('it ends with a lone backslash');
      re += escapeRegExp(next);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (chars[j] === '^') {
        cls += '^';
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < chars.length; j++) {
        let ch = chars[j]!;
        if (ch === ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (ch === '\\') {
          const esc = chars[++j];
          if (esc === undefined) throw bad('a character class ends with a backslash');
          ch = esc;
        }
        cls += ch === '-' && cls.length > 0 && chars[j + 1] !== ']' ? '-' : escapeClassChar(ch);
      }
      if (!closed) throw bad('a "[" is not closed');
      re += `[${cls}]`;
      i = j;
    } else re += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch (e) {
    throw bad((e as Error).message);
  }
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

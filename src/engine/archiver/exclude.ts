/**
 * What a backup leaves out by path: restic's --exclude and --iexclude patterns
 * (filter/patterns.ts), matched against each entry's absolute path before it is read.
 * An excluded directory is not entered.
 */
import { parsePathPatterns } from '../filter/patterns.ts';

export type ExcludeFn = (absolutePath: string) => boolean;

export interface ExcludePatterns {
  /** Case-sensitive patterns (--exclude, --exclude-file). */
  excludes?: readonly string[];
  /** Patterns compared in lower case (--iexclude, --iexclude-file). */
  iexcludes?: readonly string[];
}

/** Compiles the patterns; malformed ones are refused, all named in one error. */
export function compileExcludes(patterns: ExcludePatterns): ExcludeFn {
  const sensitive = parsePathPatterns(patterns.excludes ?? [], 'exclude');
  const insensitive = parsePathPatterns(patterns.iexcludes ?? [], 'iexclude', { ignoreCase: true });
  const tests = [sensitive, insensitive].filter((p) => p.sources.length > 0);
  if (tests.length === 0) return () => false;
  return (p) => tests.some((t) => t.matches(p));
}

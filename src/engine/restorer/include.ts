/**
 * Include patterns for a partial restore, with restic's meaning (filter/patterns.ts),
 * matched against the absolute path a node has in the snapshot: a matching directory
 * includes everything below it, and directories that do not match are still entered
 * when some pattern could match below them (`childMayMatch`); the restorer creates them
 * as parents of what matches.
 */
import { parsePathPatterns } from '../filter/patterns.ts';

export interface IncludeMatcher {
  /** Whether the node at this absolute snapshot path is selected. */
  matches(absolutePath: string): boolean;
  /** Whether something below this directory could be selected. */
  childMayMatch(absoluteDirPath: string): boolean;
}

/** Every path matches: a full restore. */
export const INCLUDE_ALL: IncludeMatcher = { matches: () => true, childMayMatch: () => true };

/**
 * Compiles restic's include patterns; none (or only empty ones) selects everything.
 * `what` names the patterns in error messages (find's are search patterns).
 */
export function compileIncludes(patterns: readonly string[], what = 'include'): IncludeMatcher {
  const parsed = parsePathPatterns(patterns, what);
  if (parsed.sources.length === 0) return INCLUDE_ALL;
  return {
    matches: (p) => parsed.matches(p),
    childMayMatch: (p) => parsed.matchesWithChild(p).childMayMatch,
  };
}

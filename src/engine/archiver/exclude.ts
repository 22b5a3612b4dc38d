/**
 * Exclude patterns with restic's meaning: a pattern without a '/' matches any path
 * component (`*.log`, `node_modules`); a pattern with a '/' matches the whole absolute
 * path (`/srv/app/tmp`, `**\/cache/*`). An excluded directory is not entered.
 */
import * as path from 'node:path';

export type ExcludeFn = (absolutePath: string) => boolean;

export function compileExcludes(patterns: readonly string[], baseDir: string): ExcludeFn {
  const compiled = patterns
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && !p.startsWith('#'))
    .map((p) => {
      if (!p.includes('/')) return (abs: string) => path.matchesGlob(path.basename(abs), p);
      const full = path.isAbsolute(p) ? p : path.join(baseDir, p);
      const normalized = full.endsWith('/') ? full.slice(0, -1) : full;
      return (abs: string) => path.matchesGlob(abs, normalized);
    });
  if (compiled.length === 0) return () => false;
  return (abs) => compiled.some((m) => m(abs));
}

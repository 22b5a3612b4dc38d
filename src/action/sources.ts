/**
 * Expands the `source` input (paths and glob patterns, one per line) into backup targets
 * with @actions/glob. A directory that matches is a target with everything below it.
 */
import * as glob from '@actions/glob';
import * as path from 'node:path';

export interface ExpandedSources {
  targets: string[];
  /** Lines that matched nothing: reported, and counted as errors. */
  unmatched: string[];
}

export async function expandSources(lines: readonly string[], workspace: string): Promise<ExpandedSources> {
  const targets = new Set<string>();
  const unmatched: string[] = [];
  for (const line of lines) {
    const pattern = path.isAbsolute(line) ? line : path.join(workspace, line);
    const globber = await glob.create(pattern, { implicitDescendants: false, matchDirectories: true, followSymbolicLinks: false });
    const found = await globber.glob();
    if (found.length === 0) unmatched.push(line);
    for (const f of found) targets.add(f);
  }
  return { targets: [...targets].sort(), unmatched };
}

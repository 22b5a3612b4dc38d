/**
 * Go's `path.Join` (slash-separated, lexically cleaned), for the paths restic prints in
 * diff and stats: a hostile name such as `..` or `a/b` in a tree comes out as restic
 * shows it.
 */
export function goPathJoin(...elements: string[]): string {
  const joined = elements.filter((e) => e !== '').join('/');
  return joined === '' ? '' : goPathClean(joined);
}

/** Go's `path.Clean`: no empty, `.` or `..` elements (`..` above the root is dropped). */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const body = out.join('/');
  return rooted ? `/${body}` : body || '.';
}

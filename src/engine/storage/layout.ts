/** restic's default repository layout: where each (type, name) lives, relative to the base. */
import type { FileType, Handle } from './backend.ts';

export const DIR_OF: Readonly<Record<FileType, string>> = {
  config: '',
  key: 'keys',
  data: 'data',
  index: 'index',
  snapshot: 'snapshots',
  lock: 'locks',
};

/** Relative path of a file, with '/' separators: `data/ab/ab12…`, `keys/…`, `config`. */
export function relativePath(h: Handle): string {
  if (h.type === 'config') return 'config';
  if (h.type === 'data') return `data/${h.name.slice(0, 2)}/${h.name}`;
  return `${DIR_OF[h.type]}/${h.name}`;
}

/** Every directory `restic init` makes, in creation order. */
export function repositoryDirectories(): string[] {
  const dirs = ['keys', 'data', 'index', 'snapshots', 'locks'];
  for (let i = 0; i < 256; i++) dirs.push(`data/${i.toString(16).padStart(2, '0')}`);
  return dirs;
}

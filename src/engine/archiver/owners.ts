/**
 * uid/gid → user and group names for tree nodes, as restic records them. Read once from
 * /etc/passwd and /etc/group; where those are missing (Windows, containers) names are omitted.
 */
import { readFileSync } from 'node:fs';

function parseTable(file: string): Map<number, string> {
  const out = new Map<number, string>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const id = Number(fields[2]);
    if (fields[0] && Number.isInteger(id) && !out.has(id)) out.set(id, fields[0]);
  }
  return out;
}

export class OwnerNames {
  #users: Map<number, string> | undefined;
  #groups: Map<number, string> | undefined;

  user(uid: number): string | undefined {
    this.#users ??= parseTable('/etc/passwd');
    return this.#users.get(uid);
  }

  group(gid: number): string | undefined {
    this.#groups ??= parseTable('/etc/group');
    return this.#groups.get(gid);
  }
}

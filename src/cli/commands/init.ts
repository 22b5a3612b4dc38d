import { Repository } from '../../engine/index.ts';
import { openCliStorage, readPassword, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const INIT_HELP = `chunkvault init: create a new repository (restic format v2)

Usage: chunkvault init -r REPO [--repository-version 1|2]`;

export async function runInit(g: GlobalOptions, args: { 'repository-version'?: string }, out: Output, env: NodeJS.ProcessEnv): Promise<number> {
  const version = args['repository-version'] === '1' ? 1 : 2;
  const { backend } = await openCliStorage(g, env, { withCache: false });
  const repo = await Repository.init(backend, await readPassword(g, env), { version });
  if (g.json) out.result(JSON.stringify({ message_type: 'initialized', id: repo.id, repository: backend.location }));
  else out.result(`created chunkvault repository ${repo.id.slice(0, 10)} at ${backend.location}\n\nKeep the password safe: data in the repository cannot be read without it.`);
  return 0;
}

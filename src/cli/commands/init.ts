import { invalidInput, Repository } from '../../engine/index.ts';
import { openCliStorage, readPassword, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';
import { openSourceRepository, sourceRepositoryGiven, type SourceRepositoryArgs } from '../source-repository.ts';

export const INIT_HELP = `chunkvault init: create a new repository (restic format v2)

Usage: chunkvault init -r REPO [--repository-version 1|2|latest|stable]
                       [--from-repo SRC [--from-password-file FILE] --copy-chunker-params]

Options:
  --copy-chunker-params   use the chunker polynomial of the repository given by --from-repo
                          (password: --from-password-file or $RESTIC_FROM_PASSWORD), so that
                          snapshots copied from it and later backups deduplicate`;

export interface InitArgs extends SourceRepositoryArgs {
  'repository-version'?: string;
  'copy-chunker-params'?: boolean;
}

export async function runInit(g: GlobalOptions, args: InitArgs, out: Output, env: NodeJS.ProcessEnv): Promise<number> {
  const version = repositoryVersion(args['repository-version']);
  // Read before anything is created: a wrong source password leaves no half-made repository.
  let chunkerPolynomial: bigint | undefined;
  if (args['copy-chunker-params']) {
    chunkerPolynomial = (await openSourceRepository(g, args, env)).config.chunkerPolynomial;
  } else if (sourceRepositoryGiven(args, env)) {
    throw invalidInput('a source repository (--from-repo) is only used with --copy-chunker-params: add it, or drop --from-repo');
  }
  const { backend } = await openCliStorage(g, env, { withCache: false });
  const repo = await Repository.init(backend, await readPassword(g, env), { version, chunkerPolynomial });
  if (g.json) out.result(JSON.stringify({ message_type: 'initialized', id: repo.id, repository: backend.location }));
  else out.result(`created chunkvault repository ${repo.id.slice(0, 10)} at ${backend.location}\n\nKeep the password safe: data in the repository cannot be read without it.`);
  return 0;
}

/** restic's --repository-version: a format version, 'latest' or 'stable' (both 2). */
function repositoryVersion(value: string | undefined): 1 | 2 {
  if (value === undefined || value === '' || value === 'latest' || value === 'stable') return 2;
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw invalidInput(`--repository-version: '${value}' is not a repository version: use 1 or 2 (or 'latest', 'stable'); 2 is the default`);
}

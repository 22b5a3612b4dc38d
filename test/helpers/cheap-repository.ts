/**
 * A local repository whose key uses a cheap scrypt (N = 2^14): every restic or chunkvault
 * run against it derives the key again, and the parameters restic calibrates for `init`
 * cost about a second a run on a busy 2-core machine. Tests that run the tools hundreds
 * of times create their repository here; what restic writes into it is still restic's.
 */
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { storageOptions } from '../../src/cli/globals.ts';
import { Repository } from '../../src/engine/repository/repository.ts';

export const CHEAP_KDF = { N: 16384, r: 8, p: 1 };

export function initCheapRepository(repo: string, password: string): Promise<void> {
  return initCheapRepositoryAt(repo, password, {});
}

/** The same for any location the CLI takes (s3:, rest:, ...), with the backend settings of `env`. */
export async function initCheapRepositoryAt(location: string, password: string, env: NodeJS.ProcessEnv): Promise<void> {
  const storage = await openStorage(parseLocation(location, process.cwd()), storageOptions(env));
  try {
    await Repository.init(storage.backend, password, { kdf: CHEAP_KDF });
  } finally {
    await storage.backend.close();
  }
}

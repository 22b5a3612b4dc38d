/**
 * The backend contract for the backends that need no server: the in-memory one, and the
 * local one opened the way the CLI and the action open it (openStorage: retry decorator
 * included). REST and S3 run the same suite in the integration project.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { describeBackendConformance } from '../helpers/backend-conformance.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('conformance');
});

afterAll(async () => {
  await removeDir(dir);
});

describeBackendConformance('memory', {
  open: async () => new MemoryBackend(),
});

describeBackendConformance('local', {
  open: async () => (await openStorage(parseLocation(path.join(dir, randomBytes(6).toString('hex')), dir))).backend,
  teardown: async (backend) => removeDir(backend.localRoot),
});

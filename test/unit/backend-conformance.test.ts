/**
 * The backend contract for the backends that need no server: the in-memory one, and the
 * local one as the CLI and the action open it (under the retry decorator, which also
 * answers an already-cancelled signal). REST and S3 run the same suite in the integration project.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { RetryBackend } from '../../src/backends/decorators/retry.ts';
import { LocalBackend } from '../../src/backends/local.ts';
import { MemoryBackend } from '../../src/backends/memory.ts';
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
  open: async () => new RetryBackend(new LocalBackend(path.join(dir, randomBytes(6).toString('hex')))),
  teardown: async (backend) => removeDir(backend.localRoot),
});

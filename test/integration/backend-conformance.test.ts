/**
 * The backend contract, checked for the local backend and for the REST backend against a
 * real `rclone serve restic`, both opened the way the CLI and the action open them
 * (openStorage: retry decorator included). The S3 case calls the same suite from its own file.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { describeBackendConformance } from '../helpers/backend-conformance.ts';
import { startRcloneServer, type RcloneServer } from '../helpers/rclone-server.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

let dir: string;
let server: RcloneServer;

beforeAll(async () => {
  dir = await makeTempDir('conformance');
  server = await startRcloneServer(path.join(dir, 'rest'));
});

afterAll(async () => {
  await server?.stop();
  await removeDir(dir);
});

describeBackendConformance('local', {
  open: async () => openStorage(parseLocation(path.join(dir, 'local', randomBytes(6).toString('hex')), dir)).backend,
  teardown: async (backend) => removeDir(backend.localRoot),
});

describeBackendConformance('REST (rclone serve restic)', {
  open: async () => openStorage(parseLocation(`rest:${server.url}${randomBytes(6).toString('hex')}/`, dir)).backend,
});

/**
 * The backend contract for the REST backend against a real `rclone serve restic` (the run's
 * shared one, with basic auth), and for rclone: repositories, opened the way the CLI and
 * the action open them (openStorage: retry decorator included). The local and in-memory
 * backends run the same suite in the unit project; the S3 case calls it from its own file.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { describeBackendConformance } from '../helpers/backend-conformance.ts';
import { sharedRestServer, type SharedRestServer } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

let server: SharedRestServer;

beforeAll(async () => {
  server = await sharedRestServer();
});

describeBackendConformance('REST (rclone serve restic)', {
  open: async () => (await openStorage(parseLocation(server.repository(`conformance-${randomBytes(6).toString('hex')}`), '/'))).backend,
});

// rclone: the same REST protocol over HTTP/2 on the standard input and output of the
// `rclone serve restic --stdio` each backend starts (here on rclone's own local paths).
let rcloneDir: string;

beforeAll(async () => {
  rcloneDir = await makeTempDir('conformance-rclone');
});

afterAll(async () => {
  await removeDir(rcloneDir);
});

describeBackendConformance('rclone (rclone serve restic --stdio)', {
  open: async () => (await openStorage(parseLocation(`rclone:${rcloneDir}/${randomBytes(6).toString('hex')}`, '/'), { env: process.env })).backend,
});

/**
 * The backend contract for the REST backend against a real `rclone serve restic` (the run's
 * shared one, with basic auth), opened the way the CLI and the action open it (openStorage:
 * retry decorator included). The local and in-memory backends run the same suite in the
 * unit project; the S3 case calls it from its own file.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll } from 'vitest';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { describeBackendConformance } from '../helpers/backend-conformance.ts';
import { sharedRestServer, type SharedRestServer } from '../helpers/shared-servers.ts';

let server: SharedRestServer;

beforeAll(async () => {
  server = await sharedRestServer();
});

describeBackendConformance('REST (rclone serve restic)', {
  open: async () => (await openStorage(parseLocation(server.repository(`conformance-${randomBytes(6).toString('hex')}`), '/'))).backend,
});

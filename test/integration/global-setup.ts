/**
 * The integration project's global setup: starts each server that test files share
 * (test/helpers/shared-servers.ts) once per run, on the first request for it, and stops
 * them all when the run ends. Tests ask over a small HTTP endpoint on loopback whose
 * address they get through vitest's provide/inject: a server starts while other test files
 * go on running, and a run of files that need none starts none.
 *
 * A server that fails to start does not stop the run: the tests that ask for it fail with
 * the reason, and every other test still runs.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../helpers/postgres.ts';
import { startRcloneServer } from '../helpers/rclone-server.ts';
import { startS3Server } from '../helpers/s3-server.ts';
import type { SharedConnections, SharedServerAnswer, SharedServerKind } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

// Characters that must be percent-encoded in a URL: every REST test then checks that decoding.
const REST_USER = 'backup';
const REST_PASSWORD = 'p@ss/w:rd%';

interface Running<K extends SharedServerKind> {
  connection: SharedConnections[K];
  stop(): Promise<void>;
}

type Starters = { [K in SharedServerKind]: (dir: string) => Promise<Running<K>> };

const STARTERS: Starters = {
  rest: async (dir) => {
    const server = await startRcloneServer(path.join(dir, 'rest'), { user: REST_USER, pass: REST_PASSWORD });
    return { connection: { url: server.url, dir: server.dir, user: REST_USER, password: REST_PASSWORD }, stop: server.stop };
  },
  s3: async () => {
    const server = await startS3Server();
    const { endpoint, caFile, accessKeyId, secretAccessKey, region } = server;
    return { connection: { endpoint, caFile, accessKeyId, secretAccessKey, region }, stop: server.stop };
  },
  postgres: async () => {
    const server = await startPostgres();
    return { connection: { port: server.port, password: server.password }, stop: server.stop };
  },
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await makeTempDir('shared-servers');
  // One start per kind, kept with its outcome: a failed start is not tried again by every file.
  const starts = new Map<SharedServerKind, Promise<Running<SharedServerKind>>>();
  const startOnce = (kind: SharedServerKind) => {
    let start = starts.get(kind);
    if (!start) {
      start = STARTERS[kind](dir) as Promise<Running<SharedServerKind>>;
      starts.set(kind, start);
    }
    return start;
  };

  const endpoint = http.createServer((request, response) => {
    const kind = request.url?.slice(1) ?? '';
    if (!isSharedServerKind(kind)) {
      response.writeHead(404).end();
      return;
    }
    void answer(startOnce(kind)).then((body) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  project.provide('sharedServers', `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/`);

  return async () => {
    endpoint.closeAllConnections();
    await new Promise((resolve) => endpoint.close(resolve));
    const started = await Promise.allSettled(starts.values());
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    await removeDir(dir);
  };
}

async function answer(start: Promise<Running<SharedServerKind>>): Promise<SharedServerAnswer<SharedServerKind>> {
  try {
    return { started: true, connection: (await start).connection };
  } catch (e) {
    return { started: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function isSharedServerKind(name: string): name is SharedServerKind {
  return Object.hasOwn(STARTERS, name);
}

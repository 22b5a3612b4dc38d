/**
 * The servers test files of the integration project share: each file keeps to its own
 * repository path, bucket or database on them. The project's global setup
 * (test/integration/global-setup.ts) starts each one once per run, when a test first asks
 * for it, so a run that needs none starts none. A test that needs to stop, break or
 * reconfigure a server starts its own with the helpers beside this one.
 *
 * A shared server that could not start fails every test that asks for it, with the
 * reason (a missing package, say): it never skips.
 */
import { inject } from 'vitest';
import { postgresClient, type PostgresClient, type PostgresConnection } from './postgres.ts';
import { s3Endpoint, type S3Connection, type S3Endpoint } from './s3-server.ts';

/** `rclone serve restic` with basic auth; its password needs percent-encoding in a URL. */
export interface RestConnection {
  /** `http://127.0.0.1:PORT/`, without credentials. */
  readonly url: string;
  /** The directory served; repository NAME lives in `<dir>/NAME`. */
  readonly dir: string;
  readonly user: string;
  readonly password: string;
}

export interface SharedRestServer extends RestConnection {
  /** `http://USER:PASSWORD@HOST/NAME/`, credentials percent-encoded. */
  repositoryUrl(name: string): URL;
  /** The location `rest:http://USER:PASSWORD@HOST/NAME/`. */
  repository(name: string): string;
}

/** How to reach each kind of shared server: plain data, sent from the global setup. */
export interface SharedConnections {
  rest: RestConnection;
  s3: S3Connection;
  postgres: PostgresConnection;
}
export type SharedServerKind = keyof SharedConnections;

/** The global setup's answer for one server: how to reach it, or why it did not start. */
export type SharedServerAnswer<K extends SharedServerKind> = { started: true; connection: SharedConnections[K] } | { started: false; error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT/`: GET `<kind>` starts that server if it is not running yet and answers how to reach it. */
    sharedServers: string;
  }
}

export async function sharedRestServer(): Promise<SharedRestServer> {
  const rest = await connectionOf('rest', 'rclone serve restic');
  // Encoded by hand: the URL setters leave '%' as it is.
  const credentials = `${encodeURIComponent(rest.user)}:${encodeURIComponent(rest.password)}@`;
  const repositoryUrl = (name: string) => new URL(`${rest.url.replace('://', `://${credentials}`)}${name}/`);
  return { ...rest, repositoryUrl, repository: (name) => `rest:${repositoryUrl(name).href}` };
}

export async function sharedS3Server(): Promise<S3Endpoint> {
  return s3Endpoint(await connectionOf('s3', 'S3 server (Swift s3api)'));
}

export async function sharedPostgres(): Promise<PostgresClient> {
  return postgresClient(await connectionOf('postgres', 'PostgreSQL'));
}

async function connectionOf<K extends SharedServerKind>(kind: K, what: string): Promise<SharedConnections[K]> {
  // Undefined outside the integration project, whose global setup provides it.
  const servers = inject('sharedServers');
  if (servers === undefined) throw new Error(`no shared ${what}: run this file in the integration project (vitest run --project integration)`);
  const response = await fetch(new URL(kind, servers));
  if (!response.ok) throw new Error(`asking the global setup for the shared ${what}: HTTP ${response.status}`);
  const answer = (await response.json()) as SharedServerAnswer<K>;
  if (!answer.started) throw new Error(`the shared ${what} did not start: ${answer.error}`);
  return answer.connection;
}

/**
 * The one place that turns a parsed repository location into the storage a repository is
 * opened on: the plain backend for the location's kind, and every decorator stacked on it
 * in one fixed order (restic's wrapBackend does the same). From the network up:
 *
 * 1. the plain backend (local directory, REST server, S3 bucket, rclone);
 * 2. request counting, when asked for: right above the network, so that each attempt
 *    a retry makes is counted as the request it is; and the change hook, when given, so
 *    that it hears of a file once the storage confirmed it;
 * 3. retries of transient failures: below the cache, so that a cache miss is retried
 *    like any other load;
 * 4. the metadata cache of index and snapshot files, for remote repositories only (a
 *    local one is on this disk already): on top, so that a hit touches nothing below.
 *
 * The action and the CLI both call `openStorage`; neither builds a decorator itself.
 *
 * The REST, S3 and rclone backends are imported when a location needs them: their HTTP clients
 * (undici, the AWS SDK) took 130 ms and 23 MB of every command's start-up otherwise,
 * for local repositories too.
 */
import { readFileSync } from 'node:fs';
import { ChunkvaultError, ErrorCode, type Backend } from '../engine/index.ts';
import { ChangeHookBackend, type ChangeHook } from './decorators/change-hook.ts';
import { CountingBackend } from './decorators/counting.ts';
import { MetadataCacheBackend } from './decorators/metadata-cache.ts';
import { RetryBackend, type RetryOptions } from './decorators/retry.ts';
import { LocalBackend } from './local.ts';
import { isRemoteLocation, type RepositoryLocation } from './repository-location.ts';
import { DEFAULT_REMOTE_CONNECTIONS } from './remote-connections.ts';
import type { RcloneOptions } from './rclone/rclone-backend.ts';

export interface S3Credentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  /** Address buckets as `host/bucket` rather than `bucket.host`. */
  pathStyle?: boolean;
}

export interface StorageOptions {
  /**
   * The environment, for credential fallbacks (AWS_*, RESTIC_REST_USERNAME/PASSWORD).
   * Passed by the caller: backends never read process.env. @default {}
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Parallel requests to a remote backend (a local one ignores it). @default 5 (DEFAULT_REMOTE_CONNECTIONS) */
  concurrency?: number;
  /** A PEM file of CA certificates to trust, for servers with self-signed TLS (REST and S3). */
  caFile?: string;
  /** S3 credentials and addressing; each falls back to the standard AWS_* variables. */
  s3?: S3Credentials;
  /** Retry bounds and the retry log hook. */
  retry?: RetryOptions;
  /**
   * Where to cache a remote repository's index and snapshot files; none when undefined.
   * Ignored for a local repository.
   */
  metadataCacheDir?: string;
  /** Count requests and bytes right above the network (measurements, tests). @default false */
  countRequests?: boolean;
  /** Called after each file the storage confirmed saved or removed (the CLI's crash failpoints). */
  onChange?: ChangeHook;
  /**
   * Told each credential a backend learns only while running (S3 keys from a profile or an
   * instance role), so that the caller can mask it before anything logs it.
   */
  onSecret?: (secret: string) => void;
  /** The rclone program and arguments for an `rclone:` repository (restic's rclone.program, rclone.args). */
  rclone?: RcloneOptions;
  /** Lines a backend's helper process writes (rclone's standard error), prefixed with its name, secrets masked. */
  onBackendLog?: (line: string) => void;
}

export interface OpenedStorage {
  /** The top of the stack: what a repository is opened on. */
  readonly backend: Backend;
  /** Every layer from the plain backend up; the last one is `backend`. */
  readonly layers: readonly Backend[];
  /** The metadata cache, when one is used: attach it once the repository id is known. */
  readonly metadataCache?: MetadataCacheBackend;
  /** The request counter, with `countRequests`. */
  readonly counting?: CountingBackend;
}

/** The most parallel requests we allow: beyond this servers throttle rather than go faster. */
export const MAX_CONCURRENCY = 64;

/** Opens the storage for a location with its decorators, in the order the file comment gives. */
export async function openStorage(location: RepositoryLocation, opts: StorageOptions = {}): Promise<OpenedStorage> {
  const plain = await openPlainBackend(location, opts);
  const counting = opts.countRequests ? new CountingBackend(plain) : undefined;
  const hooked = opts.onChange ? new ChangeHookBackend(counting ?? plain, opts.onChange) : undefined;
  const retrying = new RetryBackend(hooked ?? counting ?? plain, opts.retry);
  const metadataCache =
    opts.metadataCacheDir !== undefined && isRemoteLocation(location) ? new MetadataCacheBackend(retrying, opts.metadataCacheDir) : undefined;
  const layers = [plain, counting, hooked, retrying, metadataCache].filter((layer) => layer !== undefined);
  return { backend: metadataCache ?? retrying, layers, metadataCache, counting };
}

async function openPlainBackend(location: RepositoryLocation, opts: StorageOptions): Promise<Backend> {
  const env = opts.env ?? {};
  const connections = resolveConcurrency(opts.concurrency);
  switch (location.kind) {
    case 'local':
      return new LocalBackend(location.path);
    case 'rest': {
      const { RestBackend } = await import('./rest.ts');
      return new RestBackend({
        url: location.url,
        // restic 0.16's variables, for a password kept out of the URL.
        username: location.username ?? env.RESTIC_REST_USERNAME,
        password: location.password ?? env.RESTIC_REST_PASSWORD,
        connections,
        ca: opts.caFile ? readCaFile(opts.caFile) : undefined,
      });
    }
    case 's3': {
      const { openS3Backend } = await import('./s3/s3-backend.ts');
      return openS3Backend(location.s3, { ...opts.s3, caFile: opts.caFile, env, connections, onSecret: opts.onSecret });
    }
    case 'rclone': {
      const { openRcloneBackend } = await import('./rclone/rclone-backend.ts');
      return openRcloneBackend(location, { ...opts.rclone, env, connections, onLog: opts.onBackendLog });
    }
  }
}

/** Reads a parallel-request count a user wrote; `what` names where it came from, for the error. */
export function parseConcurrency(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `${what} must be a whole number from 1 to ${MAX_CONCURRENCY}; got '${text}'`);
  }
  return n;
}

function resolveConcurrency(concurrency: number | undefined): number {
  if (concurrency === undefined) return DEFAULT_REMOTE_CONNECTIONS;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${concurrency}`);
  }
  return concurrency;
}

function readCaFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read the CA file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

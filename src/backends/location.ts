/**
 * Repository locations in restic's syntax, and the one place that opens a backend for
 * one, wrapped in the retry decorator:
 *
 * - a plain path, or `local:PATH`: a directory;
 * - `rest:http(s)://[user:password@]host[:port][/path]`: a restic REST server;
 * - `s3:https://host[:port]/bucket[/prefix]`, `s3:s3.amazonaws.com/bucket[/prefix]`,
 *   `s3:http://…`: S3-compatible object storage.
 *
 * Every location shown anywhere goes through `redactLocation` first: passwords never
 * reach a log or an error message.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ChunkvaultError, ErrorCode, type Backend } from '../engine/index.ts';
import { LocalBackend } from './local.ts';
import { DEFAULT_REMOTE_CONNECTIONS, RestBackend } from './rest.ts';
import { RetryBackend, type RetryOptions } from './decorators/retry.ts';
import { openS3Backend } from './s3/s3-backend.ts';

export type RepositoryLocation =
  | { kind: 'local'; path: string }
  | { kind: 'rest'; url: URL; username?: string; password?: string }
  /** `spec` is what follows `s3:`; the S3 backend parses it. */
  | { kind: 's3'; spec: string };

export interface S3Credentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  /** Address buckets as `host/bucket` rather than `bucket.host`. */
  pathStyle?: boolean;
}

export interface OpenBackendOptions {
  /** Where relative local paths resolve. */
  baseDir: string;
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
}

const UNSUPPORTED_SCHEMES = ['sftp:', 'b2:', 'azure:', 'gs:', 'swift:', 'rclone:'];

/** The most parallel requests we allow: beyond this servers throttle rather than go faster. */
const MAX_CONCURRENCY = 64;

export function parseLocation(location: string, baseDir: string): RepositoryLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw new ChunkvaultError(ErrorCode.InvalidInput, 'no repository given: set a repository location');
  if (trimmed.startsWith('rest:')) return parseRest(trimmed);
  if (trimmed.startsWith('s3:')) {
    const spec = trimmed.slice('s3:'.length);
    if (spec === '') throw invalid(trimmed, 'an S3 location names at least a bucket: s3:https://host/bucket[/prefix]');
    return { kind: 's3', spec };
  }
  const scheme = UNSUPPORTED_SCHEMES.find((s) => trimmed.startsWith(s));
  if (scheme) {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `repository '${redactLocation(trimmed)}': the ${scheme.slice(0, -1)} backend is not supported; use a local directory, rest: or s3:`,
    );
  }
  const local = trimmed.startsWith('local:') ? trimmed.slice('local:'.length) : trimmed;
  return { kind: 'local', path: path.resolve(baseDir, local) };
}

function parseRest(location: string): RepositoryLocation {
  let url: URL;
  try {
    url = new URL(location.slice('rest:'.length));
  } catch {
    throw invalid(location, 'not a URL; a REST location looks like rest:https://user:password@host:8000/repo');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(location, 'a REST location is an http:// or https:// URL');
  }
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { kind: 'rest', url, username, password };
}

export function openBackend(location: string, opts: OpenBackendOptions): Backend {
  const parsed = parseLocation(location, opts.baseDir);
  const env = opts.env ?? {};
  const connections = resolveConcurrency(opts.concurrency);
  let backend: Backend;
  switch (parsed.kind) {
    case 'local':
      backend = new LocalBackend(parsed.path);
      break;
    case 'rest':
      backend = new RestBackend({
        url: parsed.url,
        // restic 0.16's variables, for a password kept out of the URL.
        username: parsed.username ?? env.RESTIC_REST_USERNAME,
        password: parsed.password ?? env.RESTIC_REST_PASSWORD,
        connections,
        ca: opts.caFile ? readCaFile(opts.caFile) : undefined,
      });
      break;
    case 's3':
      backend = openS3Backend(parsed.spec, {
        ...opts.s3,
        caFile: opts.caFile,
        env,
        connections,
      });
      break;
  }
  return new RetryBackend(backend, opts.retry);
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

/** Whether the repository lives on another machine (worth a metadata cache, say). */
export function isRemoteLocation(location: string): boolean {
  const trimmed = location.trim();
  return trimmed.startsWith('rest:') || trimmed.startsWith('s3:');
}

/**
 * A location with any password removed, fit for logs: `rest:https://user:***@host/repo`.
 * Also safe on text that does not parse as a URL (a password with a raw '/', say).
 */
export function redactLocation(location: string): string {
  const scheme = /^[a-z0-9]+:(?=[a-z][a-z0-9+.-]*:\/\/)/i.exec(location)?.[0] ?? '';
  try {
    const url = new URL(location.slice(scheme.length));
    if (url.password === '') return location;
    url.password = '***';
    return scheme + url.href;
  } catch {
    // Not a URL: the pattern below still finds user:password@.
  }
  return location.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

function invalid(location: string, why: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, `repository '${redactLocation(location)}': ${why}`);
}

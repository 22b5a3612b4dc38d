/**
 * Repository locations in restic's syntax, parsed once into a typed value that the shells
 * pass down to `openStorage`:
 *
 * - a plain path, or `local:PATH`: a directory;
 * - `rest:http(s)://[user:password@]host[:port][/path]`: a restic REST server;
 * - `s3:https://host[:port]/bucket[/prefix]`, `s3:s3.amazonaws.com/bucket[/prefix]`,
 *   `s3:http://…`: S3-compatible object storage;
 * - `rclone:REMOTE:PATH` (a remote of rclone's configuration), `rclone:/PATH` (rclone's
 *   own local path), `rclone::BACKEND,param=value:PATH` (a connection string): whatever
 *   rclone reaches, through `rclone serve restic --stdio`.
 *
 * A location is shown as its `display`, or as a backend's `location` (built from the
 * parsed value, which holds no password), passed through `redactLocation` once more as a
 * guard: passwords never reach a log or an error message.
 */
import * as path from 'node:path';
import { ChunkvaultError, ErrorCode } from '../engine/index.ts';
import { parseS3Location, type S3Location } from './s3/s3-location.ts';

interface LocationBase {
  /** The location as written, with any password replaced by `***`: what logs show. */
  readonly display: string;
  /**
   * Strings the location carries that must never be shown (a REST password as decoded and
   * as percent-encoded), so that a shell can mask them in its log.
   */
  readonly secrets: readonly string[];
}

export interface LocalLocation extends LocationBase {
  readonly kind: 'local';
  /** Absolute: resolved against the base directory when parsed. */
  readonly path: string;
}

export interface RestLocation extends LocationBase {
  readonly kind: 'rest';
  /** The server URL with user and password taken out. */
  readonly url: URL;
  readonly username?: string;
  readonly password?: string;
}

export interface S3RepositoryLocation extends LocationBase {
  readonly kind: 's3';
  readonly s3: S3Location;
}

export interface RcloneLocation extends LocationBase {
  readonly kind: 'rclone';
  /** What rclone serves, as written after `rclone:` (`REMOTE:PATH`, or a path of its own). */
  readonly remote: string;
  /** Where rclone runs, so that a relative path means what it means for a local repository. */
  readonly cwd: string;
}

export type RepositoryLocation = LocalLocation | RestLocation | S3RepositoryLocation | RcloneLocation;

const UNSUPPORTED_SCHEMES = ['sftp:', 'b2:', 'azure:', 'gs:', 'swift:'];

/**
 * Parameters of an rclone connection string (`remote,name=value:` or `:backend,name=value:`)
 * that may hold a credential: their values are hidden wherever the location is shown.
 */
const RCLONE_SECRET_PARAMETER = /(?<=,)([\w-]*(?:pass|secret|token|key|auth|credential|sas)[\w-]*)=("[^"]*"|'[^']*'|[^,:]*)/gi;

/** Parses a location once; relative local paths resolve against `baseDir`. Errors never show a password. */
export function parseLocation(location: string, baseDir: string): RepositoryLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw new ChunkvaultError(ErrorCode.InvalidInput, 'no repository given: set a repository location');
  const display = redactLocation(trimmed);
  if (trimmed.startsWith('rest:')) return parseRest(trimmed, display);
  if (trimmed.startsWith('s3:')) {
    const spec = trimmed.slice('s3:'.length);
    if (spec === '') throw invalid(trimmed, 'an S3 location names at least a bucket: s3:https://host/bucket[/prefix]');
    // The S3 URL cannot carry credentials (parseS3Location refuses them), so it has no secrets.
    return { kind: 's3', s3: parseS3Location(spec), display, secrets: [] };
  }
  if (trimmed.startsWith('rclone:')) return parseRclone(trimmed, baseDir);
  const scheme = UNSUPPORTED_SCHEMES.find((s) => trimmed.startsWith(s));
  if (scheme) {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `'${display}': the ${scheme.slice(0, -1)} backend is not supported; use a local directory, rest:, s3: or rclone:`,
    );
  }
  const local = trimmed.startsWith('local:') ? trimmed.slice('local:'.length) : trimmed;
  return { kind: 'local', path: path.resolve(baseDir, local), display, secrets: [] };
}

function parseRest(location: string, display: string): RestLocation {
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
  return { kind: 'rest', url, username, password, display, secrets: password ? passwordForms(password) : [] };
}

function parseRclone(location: string, baseDir: string): RcloneLocation {
  const remote = location.slice('rclone:'.length);
  if (remote === '') throw invalid(location, 'an rclone location names what rclone serves: rclone:REMOTE:PATH or rclone:/PATH');
  const secrets = [...remote.matchAll(RCLONE_SECRET_PARAMETER)].map((m) => m[2]!.replace(/^(["'])(.*)\1$/, '$2')).filter((v) => v !== '');
  return { kind: 'rclone', remote, cwd: baseDir, display: `rclone:${hideRcloneSecrets(remote)}`, secrets };
}

/** An rclone remote with the values of its credential parameters replaced by `***`. */
export function hideRcloneSecrets(remote: string): string {
  return remote.replace(RCLONE_SECRET_PARAMETER, '$1=***');
}

/** A password as a log could show it: decoded, and percent-encoded as it was likely written in the URL. */
function passwordForms(password: string): string[] {
  const encoded = encodeURIComponent(password);
  return encoded === password ? [password] : [password, encoded];
}

/** Whether the repository lives on another machine (worth a metadata cache, say). */
export function isRemoteLocation(location: RepositoryLocation): boolean {
  return location.kind !== 'local';
}

/**
 * A location with any password removed, fit for logs: `rest:https://user:***@host/repo`.
 * Also safe on text that does not parse as a URL (a password with a raw '/', say).
 */
export function redactLocation(location: string): string {
  if (location.startsWith('rclone:')) return `rclone:${hideRcloneSecrets(location.slice('rclone:'.length))}`;
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
  return new ChunkvaultError(ErrorCode.InvalidInput, `'${redactLocation(location)}': ${why}`);
}

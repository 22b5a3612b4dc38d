/**
 * Repository locations in restic's syntax. A plain path is a local repository; `local:`
 * is accepted as restic does. Remote schemes are recognised so that users get a clear
 * message rather than a directory named "s3:…".
 */
import * as path from 'node:path';
import { ChunkvaultError, ErrorCode } from '../engine/errors.ts';
import type { Backend } from './backend.ts';
import { LocalBackend } from './local.ts';

export interface OpenBackendOptions {
  /** Where relative local paths resolve. */
  baseDir: string;
}

const REMOTE_SCHEMES = ['s3:', 'rest:', 'sftp:', 'b2:', 'azure:', 'gs:', 'swift:', 'rclone:'];

export function openBackend(location: string, opts: OpenBackendOptions): Backend {
  const trimmed = location.trim();
  if (trimmed === '') throw new ChunkvaultError(ErrorCode.InvalidInput, 'no repository given: set a repository location');
  const scheme = REMOTE_SCHEMES.find((s) => trimmed.startsWith(s));
  if (scheme) {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `repository '${redactLocation(trimmed)}': the ${scheme.slice(0, -1)} backend is not supported yet; use a local directory`,
    );
  }
  const local = trimmed.startsWith('local:') ? trimmed.slice('local:'.length) : trimmed;
  return new LocalBackend(path.resolve(opts.baseDir, local));
}

/** A location with any password removed, fit for logs. */
export function redactLocation(location: string): string {
  return location.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

/**
 * What an HTTP status or a network error means for a backend call: its BackendError kind
 * (retry or not) and the likely cause, in words a user can act on. Shared by the HTTP
 * backends so that a 403 reads the same whichever server sent it.
 */
import type { BackendErrorKind } from '../engine/index.ts';

/** 5xx, 408 and 429 are worth retrying; other 4xx are not, nor 501, 505 and 507, which will not get better soon; 401 and 403 are refusals. */
export function kindOfStatus(status: number): BackendErrorKind {
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'denied';
  if (status === 408 || status === 429) return 'transient';
  if (status >= 500 && status !== 501 && status !== 505 && status !== 507) return 'transient';
  return 'permanent';
}

/** The likely cause of a failed request, or '' when the status says it all. */
export function statusHint(status: number): string {
  switch (status) {
    case 400:
      return 'the server rejected the request (a REST server also answers 400 when the content does not match its name)';
    case 401:
      return 'authentication failed: check the user name and password (in the repository URL, or RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD)';
    case 403:
      return 'access denied: check the credentials and the permissions on the server (an append-only server also refuses deletes and overwrites)';
    case 405:
      return 'the server does not allow this method: is the URL a restic REST server?';
    case 408:
    case 504:
      return 'the request timed out';
    case 413:
      return 'the server or a proxy in front of it refuses uploads this large';
    case 416:
      return 'the range asked for lies beyond the end of the file';
    case 429:
      return 'the server is throttling requests (too many at once): lower the concurrency';
    case 507:
      return 'the server is out of storage space';
    default:
      if (status >= 300 && status < 400) return 'the server redirects: use the URL it redirects to';
      if (status >= 500) return 'a server-side failure';
      return '';
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface NetworkFailure {
  kind: BackendErrorKind;
  /** The error's code and message, with the likely cause when known. */
  description: string;
}

/**
 * Classifies an error thrown by the HTTP client before or while a response arrived.
 * Everything but an untrusted certificate and an unknown host counts as transient, as
 * restic retries every network failure: the retry decorator's bounds keep it finite.
 */
export function describeNetworkError(e: unknown): NetworkFailure {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const text = code && !message.includes(code) ? `${code}: ${message}` : message;
  if (code && TLS_CODES.has(code)) {
    return {
      kind: 'permanent',
      description: `${text}: the server's TLS certificate is not trusted; for a self-signed certificate, pass its CA file (ca-file / --cacert)`,
    };
  }
  if (code === 'ENOTFOUND') return { kind: 'permanent', description: `${text}: the host name does not resolve; check the URL` };
  // Requests on a closed backend: a bug of ours, which no retry mends.
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') return { kind: 'permanent', description: `${text} (the backend was closed)` };
  // undici's names for its timeouts say little on their own: say what the server did.
  if (code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'transient', description: `${text}: the server stopped sending in the middle of the answer` };
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { kind: 'transient', description: `${text}: the server accepted the request but did not answer in time` };
  // Resets, refused connections, connect timeouts, truncated bodies.
  return { kind: 'transient', description: text };
}

/** `code` of an error or of its cause (undici wraps socket errors). */
export function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns whatever an S3 call threw (a service error, a network error, a credentials error)
 * into a BackendError whose kind the retry decorator acts on and whose message names the
 * object and the likely cause. The SDK's own error is not kept as the cause: S3 echoes the
 * canonical request in some error bodies, and that can hold the session token.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { BackendError, type BackendErrorKind } from '../../engine/index.ts';
import { S3CredentialsError } from './s3-credentials.ts';

export interface S3ErrorContext {
  /** What we were doing: 'load', 'save', 'list' ... */
  readonly op: string;
  /** The object or listing, as users should see it (location and key). */
  readonly target: string;
  readonly bucket: string;
  readonly region: string;
  /** A missing bucket means "no repository here" (the config file) rather than a broken one. */
  readonly missingBucketIsNotFound: boolean;
  /** Values to cut out of any text we pass on. */
  readonly secrets: readonly string[];
}

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'RequestLimitExceeded',
  'OperationAborted',
]);

const NETWORK_TRANSIENT = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function toS3BackendError(e: unknown, ctx: S3ErrorContext): BackendError {
  if (e instanceof BackendError) return e;
  const where = `${ctx.op} ${ctx.target}`;
  const make = (kind: BackendErrorKind, reason: string, cause?: unknown) =>
    new BackendError(kind, redact(`${where}: ${reason}`, ctx.secrets), cause === undefined ? undefined : { cause });

  if (e instanceof S3CredentialsError) {
    // STS unreachable or throttling is worth another try; a rejected token or role is not.
    const { kind } = toS3BackendError(e.cause, ctx);
    return make(kind, e.message);
  }

  const status = httpStatusOf(e);
  const code = serviceCodeOf(e);
  if (status !== undefined || e instanceof S3ServiceException) {
    const label = `HTTP ${status ?? '?'}${code ? ` ${code}` : ''}`;
    const serverMessage = messageOf(e);
    switch (code) {
      case 'NoSuchKey':
        return make('not-found', `does not exist (${label})`);
      case 'NoSuchBucket':
        return ctx.missingBucketIsNotFound
          ? make('not-found', `bucket '${ctx.bucket}' does not exist (${label}); init creates it`)
          : make('permanent', `bucket '${ctx.bucket}' does not exist (${label}): check the repository location`);
      case 'AccessDenied':
      case 'AllAccessDisabled':
        return make(
          'denied',
          `access denied (${label}): these credentials may not ${ctx.op} here; check the bucket policy or the IAM ` +
            'permissions (s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket)',
        );
      case 'InvalidAccessKeyId':
        return make(
          'permanent',
          `the server does not know this access key id (${label}): check aws-access-key-id or AWS_ACCESS_KEY_ID, ` +
            'and that the endpoint is the one the key belongs to',
        );
      case 'SignatureDoesNotMatch':
        return make(
          'permanent',
          `the request signature does not match (${label}): the secret access key is most likely wrong; ` +
            'check aws-secret-access-key or AWS_SECRET_ACCESS_KEY',
        );
      case 'RequestTimeTooSkewed':
        return make('permanent', `this machine's clock differs too much from the server's (${label})`);
      case 'ExpiredToken':
      case 'TokenRefreshRequired':
        return make('permanent', `the session token has expired (${label}): get fresh credentials`);
      case 'InvalidToken':
        return make('permanent', `the session token is not valid (${label}): check aws-session-token or AWS_SESSION_TOKEN`);
      case 'PermanentRedirect':
      case 'AuthorizationHeaderMalformed':
      case 'IllegalLocationConstraintException': {
        const actual = bucketRegionOf(e);
        return make(
          'permanent',
          `the bucket is not in region ${ctx.region}${actual ? ` but in ${actual}` : ''} (${label}): ` +
            'set aws-region (or AWS_REGION) to the bucket\'s region, or use the regional endpoint',
        );
      }
      case 'InvalidRange':
        return make('permanent', `the requested byte range lies beyond the end of the object (${label})`);
    }
    if (code && TRANSIENT_CODES.has(code)) return make('transient', `the server asks to try again (${label})`);
    if (status === 404) return make('not-found', `does not exist (${label})`);
    if (status !== undefined && (status >= 500 || status === 429 || status === 408)) {
      return make('transient', `server error (${label})${serverMessage ? `: ${serverMessage}` : ''}`);
    }
    if (status === 403) {
      return make(
        'denied',
        `forbidden (${label}): the credentials may not ${ctx.op} here, or they are wrong; check the access key, ` +
          'the secret and the bucket policy',
      );
    }
    if (status === 301 || status === 307) {
      return make('permanent', `redirected (${label}): the bucket is probably in another region than ${ctx.region}; set aws-region`);
    }
    return make('permanent', `request failed (${label})${serverMessage ? `: ${serverMessage}` : ''}`);
  }

  const netCode = nodeCodeOf(e);
  const name = e instanceof Error ? e.name : '';
  if (netCode && TLS_CODES.has(netCode)) {
    return make(
      'permanent',
      `the server's TLS certificate is not trusted (${netCode}): for a self-signed or private CA, give its certificate as ca-file`,
      e,
    );
  }
  if (netCode === 'EPROTO' || netCode === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return make('permanent', `TLS handshake failed (${netCode ?? name}): does the endpoint speak https on this port?`, e);
  }
  if (netCode === 'ENOTFOUND') return make('permanent', `host not found (ENOTFOUND): ${messageOf(e)}`, e);
  if ((netCode && NETWORK_TRANSIENT.has(netCode)) || name === 'TimeoutError') {
    return make('transient', `connection problem (${netCode ?? name}): ${messageOf(e)}`, e);
  }
  if (name === 'CredentialsProviderError') {
    return make('permanent', `could not get S3 credentials: ${messageOf(e)}`);
  }
  return make('permanent', messageOf(e) || String(e));
}

/** Whatever an error says, with known secrets removed. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

function httpStatusOf(e: unknown): number | undefined {
  const m = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  if (typeof m === 'number') return m;
  const r = (e as { $response?: { statusCode?: unknown } } | null)?.$response?.statusCode;
  return typeof r === 'number' ? r : undefined;
}

function serviceCodeOf(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { Code?: unknown }).Code;
  if (typeof code === 'string' && code !== '') return code;
  return e.name && e.name !== 'Error' && e.name !== 'UnknownError' ? e.name : undefined;
}

function bucketRegionOf(e: unknown): string | undefined {
  const headers = (e as { $response?: { headers?: Record<string, string> } } | null)?.$response?.headers;
  return headers?.['x-amz-bucket-region'] ?? (e as { Region?: string } | null)?.Region;
}

function nodeCodeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return '';
  const m = e.message;
  return m === 'UnknownError' || m === e.name ? '' : m;
}

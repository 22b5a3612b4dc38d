/**
 * Where S3 credentials come from, first match wins:
 * 1. explicit options (the action's aws-* inputs),
 * 2. the standard environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *    AWS_SESSION_TOKEN (what aws-actions/configure-aws-credentials exports, OIDC included),
 * 3. a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), exchanged with
 *    STS for temporary credentials by the SDK's own provider.
 * Nothing found is an input error that says what to set.
 */
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ChunkvaultError, ErrorCode } from '../../engine/index.ts';

export interface S3CredentialSettings {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Region of the STS endpoint for web identity. */
  region: string;
}

type StaticCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface ResolvedS3Credentials {
  readonly credentials: NonNullable<S3ClientConfig['credentials']>;
  /** Strings that must never appear in a message. */
  readonly secrets: readonly string[];
}

export function resolveS3Credentials(s: S3CredentialSettings): ResolvedS3Credentials {
  const explicit = staticPair(s.accessKeyId, s.secretAccessKey, s.sessionToken, 'aws-access-key-id', 'aws-secret-access-key');
  if (explicit) return { credentials: explicit, secrets: secretsOf(explicit) };

  const env = s.env;
  const fromEnv = staticPair(
    env.AWS_ACCESS_KEY_ID,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  );
  if (fromEnv) return { credentials: fromEnv, secrets: secretsOf(fromEnv) };

  const tokenFile = nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const roleArn = nonEmpty(env.AWS_ROLE_ARN);
  if (tokenFile && roleArn) {
    const exchange = fromTokenFile({
      webIdentityTokenFile: tokenFile,
      roleArn,
      roleSessionName: nonEmpty(env.AWS_ROLE_SESSION_NAME) ?? `chunkvault-${Date.now()}`,
      // STS is AWS's own endpoint: its own HTTP handler, so that a custom CA for the
      // storage server does not apply to it.
      clientConfig: { region: s.region, requestHandler: new NodeHttpHandler() },
    });
    const provider = async (props?: Record<string, unknown>) => {
      try {
        return await exchange(props);
      } catch (e) {
        throw new S3CredentialsError(`web identity (role ${roleArn}, token file ${tokenFile})`, e);
      }
    };
    return { credentials: provider, secrets: [] };
  }
  if (tokenFile || roleArn) {
    throw invalid(
      `S3 credentials: ${tokenFile ? 'AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not' : 'AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not'}; set both for web identity`,
    );
  }
  throw invalid(
    'no S3 credentials: set the aws-access-key-id and aws-secret-access-key inputs, or AWS_ACCESS_KEY_ID and ' +
      'AWS_SECRET_ACCESS_KEY (aws-actions/configure-aws-credentials sets them), or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN',
  );
}

/** Getting credentials failed (before any request to the bucket): says from where, keeps the SDK's error as the cause. */
export class S3CredentialsError extends Error {
  readonly source: string;
  constructor(source: string, cause: unknown) {
    super(`could not get S3 credentials from ${source}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'S3CredentialsError';
    this.source = source;
  }
}

function staticPair(
  accessKeyId: string | undefined,
  secretAccessKey: string | undefined,
  sessionToken: string | undefined,
  idName: string,
  secretName: string,
): StaticCredentials | undefined {
  const id = nonEmpty(accessKeyId);
  const secret = nonEmpty(secretAccessKey);
  if (!id && !secret) return undefined;
  if (!id) throw invalid(`S3 credentials: ${secretName} is set but ${idName} is not`);
  if (!secret) throw invalid(`S3 credentials: ${idName} is set but ${secretName} is not`);
  const token = nonEmpty(sessionToken);
  return token ? { accessKeyId: id, secretAccessKey: secret, sessionToken: token } : { accessKeyId: id, secretAccessKey: secret };
}

function secretsOf(c: StaticCredentials): string[] {
  return [c.secretAccessKey, ...(c.sessionToken ? [c.sessionToken] : [])];
}

/** Trimmed, or undefined when empty: a key pasted into a secret often ends in a newline. */
function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}

function invalid(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, message);
}

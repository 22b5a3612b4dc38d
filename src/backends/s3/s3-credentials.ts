/**
 * Where S3 credentials come from, first match wins:
 * 1. explicit options (the action's aws-* inputs),
 * 2. the standard environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *    AWS_SESSION_TOKEN (what aws-actions/configure-aws-credentials exports, OIDC included),
 * 3. a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), exchanged with
 *    STS for temporary credentials by the SDK's own provider,
 * 4. the AWS SDK's default chain for the rest: profiles in ~/.aws (AWS_PROFILE,
 *    AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE; SSO and credential_process profiles
 *    too), then the ECS container role, then the EC2 instance role (self-hosted runners).
 * 2 and 3 come before the chain (which has them too) so that a half-set pair is named.
 * The chain is asked at the first request; finding nothing there fails that request with
 * one line that says what to set.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
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
  /** Told each secret a provider fetched, once (the action masks it in the log). */
  onSecret?: (secret: string) => void;
}

type StaticCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface ResolvedS3Credentials {
  readonly credentials: NonNullable<S3ClientConfig['credentials']>;
  /**
   * Strings that must never appear in a message. Credentials a provider fetches are known
   * only once it has: they are added here as they arrive, so keep this array, not a copy.
   */
  readonly secrets: readonly string[];
}

/** What to set, for every way of finding nothing. */
const WHAT_TO_SET =
  'set the aws-access-key-id and aws-secret-access-key inputs, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
  '(aws-actions/configure-aws-credentials sets them), or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or AWS_PROFILE ' +
  'with a profile in ~/.aws, or run where an ECS task role or EC2 instance role provides them';

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
    const secrets: string[] = [];
    const provider = async (props?: Record<string, unknown>) => {
      try {
        return remember(await exchange(props), secrets, s.onSecret);
      } catch (e) {
        throw new S3CredentialsError(`web identity (role ${roleArn}, token file ${tokenFile})`, e);
      }
    };
    return { credentials: provider, secrets };
  }
  if (tokenFile || roleArn) {
    throw invalid(
      `S3 credentials: ${tokenFile ? 'AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not' : 'AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not'}; set both for web identity`,
    );
  }
  return defaultChain(s);
}

/** The SDK's default chain, told the profile and files our environment names. */
function defaultChain(s: S3CredentialSettings): ResolvedS3Credentials {
  const env = s.env;
  const chain = defaultProvider({
    profile: nonEmpty(env.AWS_PROFILE),
    filepath: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE),
    configFilepath: nonEmpty(env.AWS_CONFIG_FILE),
    // STS and SSO are AWS's own endpoints: not the storage server's CA or handler.
    clientConfig: { region: s.region, requestHandler: new NodeHttpHandler() },
    logger: SILENT_LOGGER,
  });
  const secrets: string[] = [];
  const provider = async (props?: Record<string, unknown>) => {
    try {
      return remember(await chain(props), secrets, s.onSecret);
    } catch (e) {
      throw chainFailure(e);
    }
  };
  return { credentials: provider, secrets };
}

/**
 * The chain's last word, when no provider had anything, is the SDK's "Could not load
 * credentials from any providers": that becomes what to set. A provider that found its
 * source and failed (a profile naming a missing role, an unreachable container endpoint)
 * keeps its own message.
 */
function chainFailure(e: unknown): S3CredentialsError {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'CredentialsProviderError' && /from any providers/i.test(message)) {
    return new S3CredentialsError('the default chain', e, `no S3 credentials found: ${WHAT_TO_SET}`);
  }
  return new S3CredentialsError('the AWS SDK\'s default chain (profiles, ECS or EC2 roles)', e);
}

/** Adds what a provider returned to the secrets, the first time it returns them. */
function remember<C extends { secretAccessKey: string; sessionToken?: string }>(c: C, secrets: string[], onSecret?: (secret: string) => void): C {
  for (const v of [c.secretAccessKey, c.sessionToken]) {
    if (!v || secrets.includes(v)) continue;
    secrets.push(v);
    onSecret?.(v);
  }
  return c;
}

const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Getting credentials failed (before any request to the bucket): says from where, keeps the SDK's error as the cause. */
export class S3CredentialsError extends Error {
  readonly source: string;
  constructor(source: string, cause: unknown, message?: string) {
    super(message ?? `could not get S3 credentials from ${source}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
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

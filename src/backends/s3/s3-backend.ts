/**
 * A repository in an S3 bucket (AWS S3 or any S3-compatible store), in restic's default
 * layout under an optional key prefix: `<prefix>/config`, `<prefix>/keys/<id>`,
 * `<prefix>/data/<2 hex>/<id>` ... exactly where restic 0.14 puts them, so that either tool
 * reads what the other wrote. The AWS SDK signs requests and parses XML; its retries are off
 * because the shared retry decorator retries, and every failure becomes a classified
 * BackendError (see s3-errors.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BackendError, exists, ChunkvaultError, DIR_OF, ErrorCode, isId, isNotFound, payloadParts, relativePath, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../../engine/index.ts';
import { resolveS3Credentials } from './s3-credentials.ts';
import { toS3BackendError } from './s3-errors.ts';
import { describeS3Location, type S3Location } from './s3-location.ts';

export interface S3BackendOptions {
  /** With secretAccessKey, overrides every other credential source. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** @default the region an AWS host names, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 */
  region?: string;
  /** Bucket in the path (`https://host/bucket/key`) instead of the host name. @default true except for AWS hosts */
  pathStyle?: boolean;
  /** PEM file of a CA (or self-signed certificate) to trust besides the system's. */
  caFile?: string;
  /** Where AWS_* variables are read from (the engine never reads process.env itself). */
  env: Readonly<Record<string, string | undefined>>;
  /** Parallel requests: the size of the keep-alive connection pool. */
  connections: number;
  /** Told each secret a credential provider fetched while running (the action masks it). */
  onSecret?: (secret: string) => void;
}

export const DEFAULT_S3_REGION = 'us-east-1';
/** Giving up on a connection attempt; a stalled socket (no bytes either way) is given longer. */
const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Opens a parsed `s3:` location (parseS3Location, or the repository location's `s3`). */
export function openS3Backend(loc: S3Location, opts: S3BackendOptions): Backend {
  const region =
    nonEmpty(opts.region) ?? loc.regionFromHost ?? nonEmpty(opts.env.AWS_REGION) ?? nonEmpty(opts.env.AWS_DEFAULT_REGION) ?? DEFAULT_S3_REGION;
  const creds = resolveS3Credentials({ ...opts, region });
  const connections = Math.max(1, Math.floor(opts.connections));
  let ca: string | undefined;
  if (opts.caFile) {
    try {
      ca = readFileSync(opts.caFile, 'utf8');
    } catch (e) {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read the CA file ${opts.caFile}: ${(e as Error).message}`);
    }
  }
  const agentOptions = { keepAlive: true, maxSockets: connections };
  const client = new S3Client({
    // Backends do not log: every failure reaches the caller as a classified error instead.
    // (With the SDK's default logger some warnings would still go to the console.)
    logger: SILENT_LOGGER,
    region,
    // AWS's generic host is left to the SDK, which picks the region's endpoint and follows a
    // bucket to its region; every other host is used as given.
    endpoint: loc.protocol === 'https:' && loc.host.toLowerCase() === 's3.amazonaws.com' ? undefined : `${loc.protocol}//${loc.host}`,
    forcePathStyle: opts.pathStyle ?? !loc.isAws,
    followRegionRedirects: loc.isAws,
    credentials: creds.credentials,
    maxAttempts: 1,
    // Checksums only where S3 requires them: the newer default (CRC32 on every upload)
    // is refused or mishandled by many S3-compatible servers. Uploads carry Content-MD5.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(ca === undefined ? agentOptions : { ...agentOptions, ca: [...rootCertificates, ca] }),
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      logger: SILENT_LOGGER,
    }),
  });
  return new S3Backend(client, loc, region, connections, creds.secrets);
}

class S3Backend implements Backend {
  readonly location: string;
  readonly connections: number;
  readonly #client: S3Client;
  readonly #loc: S3Location;
  readonly #region: string;
  readonly #secrets: readonly string[];

  constructor(client: S3Client, loc: S3Location, region: string, connections: number, secrets: readonly string[]) {
    this.#client = client;
    this.#loc = loc;
    this.#region = region;
    this.connections = connections;
    this.#secrets = secrets;
    this.location = describeS3Location(loc);
  }

  /** Creates the bucket when it does not exist (as restic does); no directory objects are needed. */
  async create(opts?: CallOptions): Promise<void> {
    if (await this.#bucketExists(opts)) {
      if (await exists(this, { type: 'config', name: '' }, opts)) {
        throw new BackendError('permanent', `${this.location}: a repository already exists here (config found)`);
      }
      return;
    }
    const Bucket = this.#loc.bucket;
    // us-east-1 is S3's default and must not be named; other regions must be.
    const CreateBucketConfiguration =
      this.#region === DEFAULT_S3_REGION ? undefined : { LocationConstraint: this.#region as BucketLocationConstraint };
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration }), { abortSignal: opts?.signal });
    } catch (e) {
      if (errorName(e) === 'BucketAlreadyOwnedByYou') return;
      this.#rethrow(e, 'create bucket', `${this.location} (bucket '${Bucket}')`, opts);
    }
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    opts?.signal?.throwIfAborted();
    const parts = payloadParts(data);
    let size = 0;
    const md5 = createHash('md5');
    for (const p of parts) {
      size += p.byteLength;
      md5.update(p);
    }
    // A pack's parts go out one after another as a stream of known length, never joined.
    const Body = parts.length === 1 ? parts[0] : Readable.from(parts, { objectMode: false });
    await this.#call('save', h, opts, () =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#loc.bucket,
          Key: this.#key(h),
          Body,
          ContentLength: size,
          ContentMD5: md5.digest('base64'),
          ContentType: 'application/octet-stream',
        }),
        { abortSignal: opts?.signal },
      ),
    );
  }

  async load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    if (length < 0 || offset < 0) throw new BackendError('permanent', `load ${this.#describe(h)}: negative length or offset`);
    const Range = length > 0 ? `bytes=${offset}-${offset + length - 1}` : offset > 0 ? `bytes=${offset}-` : undefined;
    return this.#call('load', h, opts, async () => {
      let out;
      try {
        out = await this.#client.send(new GetObjectCommand({ Bucket: this.#loc.bucket, Key: this.#key(h), Range }), {
          abortSignal: opts?.signal,
        });
      } catch (e) {
        // "From the end to the end" is an empty read, which S3 answers with 416.
        if (length === 0 && errorName(e) === 'InvalidRange' && (await this.stat(h, opts)).size === offset) return new Uint8Array(0);
        throw e;
      }
      const expected = out.ContentLength;
      const bytes = await readBody(out.Body, expected, opts?.signal);
      if (length > 0 && bytes.byteLength !== length) {
        throw new BackendError(
          'permanent',
          `load ${this.#describe(h)}: short read, wanted ${length} bytes at ${offset}, got ${bytes.byteLength}`,
        );
      }
      return bytes;
    });
  }

  async stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    opts?.signal?.throwIfAborted();
    return this.#call('stat', h, opts, async () => {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#loc.bucket, Key: this.#key(h) }), {
        abortSignal: opts?.signal,
      });
      return { name: h.name, size: out.ContentLength ?? 0 };
    });
  }

  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    if (type === 'config') return;
    const dir = `${this.#key({ type, name: '' }).replace(/\/$/, '')}/`;
    let ContinuationToken: string | undefined;
    do {
      opts?.signal?.throwIfAborted();
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#loc.bucket,
            Prefix: dir,
            ContinuationToken,
            // Packs sit one level down (data/ab/ab…); everything else directly in its directory.
            Delimiter: type === 'data' ? undefined : '/',
          }),
          { abortSignal: opts?.signal },
        );
      } catch (e) {
        this.#rethrow(e, 'list', `${this.location}/${DIR_OF[type]}/`, opts);
      }
      for (const obj of page.Contents ?? []) {
        const name = nameInDirectory(type, obj.Key?.slice(dir.length) ?? '');
        if (name) yield { name, size: obj.Size ?? 0 };
      }
      if (page.IsTruncated && !page.NextContinuationToken) {
        throw new BackendError('permanent', `list ${this.location}/${DIR_OF[type]}/: the server said there is more but gave no continuation token`);
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async remove(h: Handle, opts?: CallOptions): Promise<void> {
    opts?.signal?.throwIfAborted();
    try {
      await this.#call('remove', h, opts, () =>
        this.#client.send(new DeleteObjectCommand({ Bucket: this.#loc.bucket, Key: this.#key(h) }), { abortSignal: opts?.signal }),
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #bucketExists(opts?: CallOptions): Promise<boolean> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#loc.bucket }), { abortSignal: opts?.signal });
      return true;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      // Credentials limited to a prefix may not look at the bucket itself: assume it is there, as restic does.
      if (status === 403) return true;
      this.#rethrow(e, 'look up bucket', `${this.location} (bucket '${this.#loc.bucket}')`, opts);
    }
  }


  async #call<T>(op: string, h: Handle, opts: CallOptions | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.#rethrow(e, op, this.#describe(h), opts, h.type === 'config');
    }
  }

  #rethrow(e: unknown, op: string, target: string, opts: CallOptions | undefined, missingBucketIsNotFound = false): never {
    // A cancelled call ends with the caller's reason, as the local backend's does.
    opts?.signal?.throwIfAborted();
    throw toS3BackendError(e, {
      op,
      target,
      bucket: this.#loc.bucket,
      region: this.#region,
      missingBucketIsNotFound,
      secrets: this.#secrets,
    });
  }

  #key(h: Handle): string {
    const rel = h.name === '' && h.type !== 'config' ? DIR_OF[h.type] : relativePath(h);
    return this.#loc.prefix ? `${this.#loc.prefix}/${rel}` : rel;
  }

  #describe(h: Handle): string {
    return `${this.location}/${relativePath(h)}`;
  }
}

/** The id a listed key names, if it sits exactly where the layout puts files of this type. */
function nameInDirectory(type: FileType, rest: string): string | undefined {
  if (type === 'data') {
    const slash = rest.indexOf('/');
    const name = rest.slice(slash + 1);
    return slash === 2 && isId(name) && rest.slice(0, 2) === name.slice(0, 2) ? name : undefined;
  }
  return isId(rest) ? rest : undefined;
}

/** Reads a response body into one buffer of the announced size, without intermediate copies. */
async function readBody(body: unknown, expected: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  const stream = body as AsyncIterable<Uint8Array>;
  if (expected === undefined) {
    const chunks: Uint8Array[] = [];
    for await (const c of stream) chunks.push(c);
    return Buffer.concat(chunks);
  }
  const out = new Uint8Array(expected);
  let done = 0;
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    if (done + chunk.byteLength > expected) throw bodyLengthError(`the response body is longer than its Content-Length (${expected})`);
    out.set(chunk, done);
    done += chunk.byteLength;
  }
  if (done !== expected) throw bodyLengthError(`the response body ended after ${done} of ${expected} bytes`);
  return out;
}

/** A body that does not match its Content-Length is a broken transfer: worth another try. */
function bodyLengthError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}

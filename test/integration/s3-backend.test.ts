/**
 * The S3 backend against a real object store: OpenStack Swift with s3api over TLS (a
 * self-signed certificate), started on loopback for this file alone (not the run's shared
 * one: a test here stops its object server). The shared conformance suite runs first,
 * then what is particular to S3: restic's key layout under a prefix, listing past S3's
 * 1,000-key pages, ranged GETs on the wire, bucket creation, credentials and the
 * classification of each kind of failure. A missing Swift fails, never skips.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { createHash, randomBytes } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readFile } from 'node:fs/promises';
import * as https from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Backend, FileInfo, FileType, Handle } from '../../src/engine/storage/backend.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { openS3Backend, type S3BackendOptions } from '../../src/backends/s3/s3-backend.ts';
import { parseS3Location } from '../../src/backends/s3/s3-location.ts';
import { forEachLimited } from '../../src/engine/support/concurrency.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';
import { describeBackendConformance } from '../helpers/backend-conformance.ts';
import { S3_LIMITED_ACCESS_KEY_ID, S3_LIMITED_SECRET_ACCESS_KEY, startS3Server, type S3TestServer } from '../helpers/s3-server.ts';

let server: S3TestServer;
let bucketCounter = 0;
/** A bucket name no test has used yet. */
const freshBucket = (what: string) => `${what}-${process.pid}-${++bucketCounter}`;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

function options(overrides: Partial<S3BackendOptions> = {}): S3BackendOptions {
  return {
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    caFile: server.caFile,
    env: {},
    connections: 5,
    ...overrides,
  };
}

/** The S3 backend for what follows `s3:` in a location. */
function openS3(spec: string, opts: S3BackendOptions): Backend {
  return openS3Backend(parseS3Location(spec), opts);
}

/** A raw SDK client on the same server, to look at the bucket behind the backend's back. */
async function rawClient(): Promise<S3Client> {
  return new S3Client({
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: await readFile(server.caFile) }) }),
  });
}

async function rawKeys(bucket: string): Promise<string[]> {
  const client = await rawClient();
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

function file(type: FileType, size: number): { h: Handle; data: Buffer } {
  const data = randomBytes(size);
  return { h: { type, name: createHash('sha256').update(data).digest('hex') }, data };
}

async function listAll(be: Backend, type: FileType): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const f of be.list(type)) out.push(f);
  return out;
}

async function failure(p: Promise<unknown>): Promise<BackendError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected the call to fail').toBeInstanceOf(BackendError);
  return e as BackendError;
}

describeBackendConformance('S3 (OpenStack Swift s3api over TLS)', {
  open: async () => openS3(server.rest(freshBucket('conformance')), options()),
});

describe('S3 backend specifics', () => {
  it('stores files under the prefix exactly where restic 0.14 puts them, and creates no directory objects', async () => {
    const bucket = freshBucket('layout');
    const be = openS3(server.rest(bucket, 'team/app'), options());
    try {
      await be.create();
      const pack = file('data', 100);
      const index = file('index', 50);
      const key = file('key', 40);
      await be.save({ type: 'config', name: '' }, randomBytes(10));
      await be.save(pack.h, pack.data);
      await be.save(index.h, index.data);
      await be.save(key.h, key.data);
      expect(await rawKeys(bucket)).toEqual(
        [
          'team/app/config',
          `team/app/data/${pack.h.name.slice(0, 2)}/${pack.h.name}`,
          `team/app/index/${index.h.name}`,
          `team/app/keys/${key.h.name}`,
        ].sort(),
      );
      expect(be.location).toBe(`s3:${server.endpoint}/${bucket}/team/app`);
    } finally {
      await be.close();
    }
  });

  it('lists more than 1,000 files of one type across pages, ignoring keys outside the layout', async () => {
    const bucket = freshBucket('pages');
    const be = openS3(server.rest(bucket, 'repo'), options({ connections: 8 }));
    try {
      await be.create();
      const files = Array.from({ length: 1005 }, (_, i) => file('snapshot', 20 + (i % 7)));
      await forEachLimited(files, 16, (f) => be.save(f.h, f.data));
      // Strays restic would not read either: a non-id name, and a valid id one level too deep.
      const stray = await rawClient();
      try {
        const { PutObjectCommand } = await import('@aws-sdk/client-s3');
        await stray.send(new PutObjectCommand({ Bucket: bucket, Key: 'repo/snapshots/not-an-id', Body: 'x' }));
        await stray.send(new PutObjectCommand({ Bucket: bucket, Key: `repo/snapshots/sub/${files[0]!.h.name}`, Body: 'x' }));
      } finally {
        stray.destroy();
      }

      const pages = countRequests((req) => req.method === 'GET' && /[?&]list-type=2/.test(req.path));
      const listed = await listAll(be, 'snapshot');
      pages.done();

      expect(listed.length).toBe(1005);
      expect(new Map(listed.map((f) => [f.name, f.size]))).toEqual(new Map(files.map((f) => [f.h.name, f.data.byteLength])));
      expect(pages.count).toBeGreaterThanOrEqual(2);
    } finally {
      await be.close();
    }
  });

  it('reads blobs and pack headers with ranged GETs: only the bytes asked for cross the network', async () => {
    const be = openS3(server.rest(freshBucket('ranges')), options());
    try {
      await be.create();
      const pack = file('data', 8 * 1024 * 1024);
      await be.save(pack.h, pack.data);

      const seen = watchResponses();
      const blob = await be.load(pack.h, 4096, 3_000_000);
      const tail = await be.load(pack.h, 0, pack.data.byteLength - 1024);
      seen.done();

      expect(Buffer.from(blob).equals(pack.data.subarray(3_000_000, 3_004_096))).toBe(true);
      expect(Buffer.from(tail).equals(pack.data.subarray(pack.data.byteLength - 1024))).toBe(true);
      expect(seen.exchanges).toEqual([
        { range: 'bytes=3000000-3004095', status: 206, contentLength: '4096' },
        { range: `bytes=${pack.data.byteLength - 1024}-`, status: 206, contentLength: '1024' },
      ]);
    } finally {
      await be.close();
    }
  });

  it('create makes a missing bucket; before that the config reads as not-found and other files as a permanent error', async () => {
    const bucket = freshBucket('missing');
    const be = openS3(server.rest(bucket, 'deep/prefix'), options());
    try {
      const config = await failure(be.load({ type: 'config', name: '' }));
      expect(config.kind).toBe('not-found');
      expect(config.message).toContain(`bucket '${bucket}' does not exist`);
      const pack = await failure(be.load(file('data', 1).h));
      expect(pack.kind).toBe('permanent');
      expect(pack.message).toContain(`bucket '${bucket}' does not exist`);

      await be.create();

      const client = await rawClient();
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } finally {
        client.destroy();
      }
      expect(await listAll(be, 'key')).toEqual([]);
      await be.save({ type: 'config', name: '' }, randomBytes(32));
      expect((await failure(be.create())).message).toContain('a repository already exists here');
    } finally {
      await be.close();
    }
  });

  it('a wrong secret is a permanent error that names the object and the cause, and holds no secret anywhere', async () => {
    const wrongSecret = 'wrong-secret-Zq81xx';
    const be = openS3(server.rest(freshBucket('auth'), 'p'), options({ secretAccessKey: wrongSecret }));
    try {
      const calls = [() => be.load({ type: 'config', name: '' }), () => be.save(file('index', 10).h, randomBytes(10)), () => listAll(be, 'snapshot')];
      for (const call of calls) {
        const e = await failure(call());
        expect(e.kind).toBe('permanent');
        expect(e.message).toMatch(/SignatureDoesNotMatch.*secret access key is most likely wrong/);
        expect(e.message).toContain(be.location);
        const everything = `${e.message}\n${e.stack}\n${inspect(e, { depth: 10 })}`;
        expect(everything).not.toContain(wrongSecret);
        expect(everything).not.toContain(server.secretAccessKey);
      }
      const config = await failure(be.load({ type: 'config', name: '' }));
      expect(config.message).toContain(`${be.location}/config`);
    } finally {
      await be.close();
    }
  });

  it('credentials without the right to read are a denied error (not retried) naming the object', async () => {
    const bucket = freshBucket('denied');
    const owner = openS3(server.rest(bucket), options());
    const limited = openS3(
      server.rest(bucket),
      options({ accessKeyId: S3_LIMITED_ACCESS_KEY_ID, secretAccessKey: S3_LIMITED_SECRET_ACCESS_KEY }),
    );
    try {
      await owner.create();
      const idx = file('index', 64);
      await owner.save(idx.h, idx.data);
      const e = await failure(limited.load(idx.h));
      expect(e.kind).toBe('denied');
      expect(e.message).toContain(`${limited.location}/index/${idx.h.name}`);
      expect(e.message).toMatch(/access denied \(HTTP 403 AccessDenied\)/);
      expect(e.message).not.toContain(S3_LIMITED_SECRET_ACCESS_KEY);
    } finally {
      await owner.close();
      await limited.close();
    }
  });

  it('takes credentials from AWS_* in the given environment, and explicit options win over them', async () => {
    const bucket = freshBucket('env');
    const env = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: server.region };
    const fromEnv = openS3(server.rest(bucket), { caFile: server.caFile, env, connections: 2 });
    const explicit = openS3(server.rest(bucket), {
      ...options(),
      env: { AWS_ACCESS_KEY_ID: 'someone:else', AWS_SECRET_ACCESS_KEY: 'not-this-one' },
    });
    try {
      await fromEnv.create();
      const snap = file('snapshot', 99);
      await fromEnv.save(snap.h, snap.data);
      expect(Buffer.from(await explicit.load(snap.h)).equals(snap.data)).toBe(true);
    } finally {
      await fromEnv.close();
      await explicit.close();
    }
  });

  // With no credentials at all, the SDK's default chain is asked: test/integration/s3-credential-chain.test.ts.

  it('with a web identity token file the SDK exchanges it for credentials; an unreadable file fails naming it', async () => {
    const tokenFile = `${server.caFile}.missing-token`;
    const be = openS3(server.rest('anything'), {
      caFile: server.caFile,
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/backup' },
      connections: 2,
    });
    try {
      const e = await failure(be.load({ type: 'config', name: '' }));
      expect(e.kind).toBe('permanent');
      expect(e.message).toContain('could not get S3 credentials from web identity (role arn:aws:iam::123456789012:role/backup');
      expect(e.message).toContain(tokenFile);
      expect(e.message).toContain('ENOENT');
    } finally {
      await be.close();
    }
    expect(() =>
      openS3(server.rest('anything'), { env: { AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/backup' }, connections: 2 }),
    ).toThrow(/AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not/);
  });

  it('without the CA file the self-signed server is refused as permanent, with a hint to give ca-file', async () => {
    const be = openS3(server.rest('anything'), options({ caFile: undefined }));
    try {
      const e = await failure(be.load({ type: 'config', name: '' }));
      expect(e.kind).toBe('permanent');
      expect(e.message).toMatch(/TLS certificate is not trusted.*ca-file/);
    } finally {
      await be.close();
    }
  });

  it('a store answering 503 fails as transient, and through openStorage a save in parts rides it out with retries, silently', async () => {
    const warn = vi.spyOn(console, 'warn');
    const bucket = freshBucket('unavailable');
    const raw = openS3(server.rest(bucket), options());
    let retries = 0;
    const retrying = (await openStorage(parseLocation(`s3:${server.rest(bucket)}`, '/'), {
      caFile: server.caFile,
      env: { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey },
      retry: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: 100, onRetry: () => retries++ },
    })).backend;
    try {
      await raw.create();
      await server.stopObjectServer();
      const pack = file('data', 300_000);
      const parts = [pack.data.subarray(0, 100_000), pack.data.subarray(100_000)];
      const e = await failure(raw.save(pack.h, parts));
      expect(e.kind).toBe('transient');
      expect(e.message).toMatch(/HTTP 503/);

      const saving = retrying.save(pack.h, parts).then(
        () => 'saved',
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 1500));
      await server.startObjectServer();
      expect(await saving).toBe('saved');
      expect(retries).toBeGreaterThan(0);
      expect(Buffer.from(await raw.load(pack.h)).equals(pack.data)).toBe(true);
      // The SDK prints some warnings to the console unless given a logger: a backend must not.
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await server.startObjectServer().catch(() => {});
      await raw.close();
      await retrying.close();
    }
  });

  it('parses restic location forms and rejects credentials in the URL without echoing them', () => {
    const be = openS3('https://127.0.0.1:9000/bucket/a/b/', options({ caFile: undefined }));
    expect(be.location).toBe('s3:https://127.0.0.1:9000/bucket/a/b');
    const aws = openS3('s3.amazonaws.com/my-bucket', options({ caFile: undefined }));
    expect(aws.location).toBe('s3:https://s3.amazonaws.com/my-bucket');
    let caught: unknown;
    try {
      openS3('https://AKIAEXAMPLE:sekrit-value@127.0.0.1:9000/bucket', options({ caFile: undefined }));
    } catch (e) {
      caught = e;
    }
    expect((caught as ChunkvaultError).code).toBe(ErrorCode.InvalidInput);
    expect((caught as Error).message).not.toContain('sekrit-value');
    expect(() => openS3('https://127.0.0.1:9000/', options())).toThrow(/no bucket name/);
  });

  it('knows AWS hosts (virtual-hosted buckets, region from a regional host) from every other host (path style)', () => {
    expect(parseS3Location('s3.amazonaws.com/b/p')).toMatchObject({ protocol: 'https:', isAws: true, regionFromHost: undefined, bucket: 'b', prefix: 'p' });
    expect(parseS3Location('s3.eu-west-1.amazonaws.com/b')).toMatchObject({ isAws: true, regionFromHost: 'eu-west-1', prefix: '' });
    expect(parseS3Location('https://s3-us-gov-west-1.amazonaws.com/b')).toMatchObject({ isAws: true, regionFromHost: 'us-gov-west-1' });
    expect(parseS3Location('http://10.0.0.5:9000/b/x//y/')).toMatchObject({ protocol: 'http:', host: '10.0.0.5:9000', isAws: false, prefix: 'x/y' });
    expect(parseS3Location('https://minio.example.com/b')).toMatchObject({ isAws: false, regionFromHost: undefined });
  });
});

/** Counts outgoing HTTP requests that match, from Node's own diagnostics channel. */
function countRequests(match: (req: ClientRequest) => boolean): { count: number; done(): void } {
  const state = { count: 0, done: () => {} };
  const onStart = (message: unknown) => {
    if (match((message as { request: ClientRequest }).request)) state.count++;
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  state.done = () => diagnosticsChannel.unsubscribe('http.client.request.start', onStart);
  return state;
}

/** The Range header, status and Content-Length of every GET that completes, as the wire saw them. */
function watchResponses(): { exchanges: { range: unknown; status: number | undefined; contentLength: unknown }[]; done(): void } {
  const exchanges: { range: unknown; status: number | undefined; contentLength: unknown }[] = [];
  const onFinish = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (request.method !== 'GET') return;
    exchanges.push({ range: request.getHeader('range'), status: response.statusCode, contentLength: response.headers['content-length'] });
  };
  diagnosticsChannel.subscribe('http.client.response.finish', onFinish);
  return { exchanges, done: () => diagnosticsChannel.unsubscribe('http.client.response.finish', onFinish) };
}

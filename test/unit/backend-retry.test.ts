/**
 * The retry decorator over the REST backend, against a real HTTP server that fails on
 * cue: transient failures are retried with full-jitter backoff within the bounds, the
 * whole payload is sent again, permanent and not-found errors fail at once with a message
 * that names the object and the likely cause, and cancellation stops the waiting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, FileInfo, Handle } from '../../src/engine/storage/backend.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { RestBackend } from '../../src/backends/rest.ts';
import { RetryBackend, type RetryEvent, type RetryTiming } from '../../src/backends/decorators/retry.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';
import { startFaultServer, type FaultServer } from '../helpers/fault-rest-server.ts';

/** A clock that moves only when the decorator sleeps: no test waits for a backoff. */
function fakeTiming(random = 0.5): RetryTiming & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function file(type: Handle['type'], size: number): { h: Handle; data: Buffer } {
  const data = randomBytes(size);
  return { h: { type, name: createHash('sha256').update(data).digest('hex') }, data };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

describe('retries against a failing REST server', () => {
  let server: FaultServer;
  let rest: RestBackend;
  let timing: ReturnType<typeof fakeTiming>;
  let retries: RetryEvent[];
  let backend: Backend;

  beforeEach(async () => {
    server = await startFaultServer();
    rest = new RestBackend({ url: new URL(`${server.url}repo/`), connections: 2, responseTimeoutMs: 2_000 });
    timing = fakeTiming();
    retries = [];
    backend = new RetryBackend(rest, { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000, timing, onRetry: (e) => retries.push(e) });
  });

  afterEach(async () => {
    await backend.close();
    await server.close();
  });

  const requestsTo = (method: string, h: Handle) =>
    server.requests.filter((r) => r.method === method && r.path.endsWith(h.type === 'config' ? '/config' : `/${h.name}`));

  it('retries a load after 503 and 503, with full-jitter backoff doubling from the initial delay', async () => {
    const f = file('index', 5000);
    server.files.set(`/repo/index/${f.h.name}`, f.data);
    server.inject([{ status: 503 }, { status: 503 }]);

    const got = await backend.load(f.h);

    expect(Buffer.from(got).equals(f.data)).toBe(true);
    expect(requestsTo('GET', f.h).map((r) => r.outcome)).toEqual(['503', '503', 'ok']);
    // random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(timing.slept).toEqual([50, 100]);
    expect(retries.map((r) => [r.call, r.attempt])).toEqual([
      [`load index/${f.h.name}`, 1],
      [`load index/${f.h.name}`, 2],
    ]);
    expect(retries[0]!.error.message).toContain('HTTP 503');
  });

  it('retries 429 (throttling) and a connection reset before the answer', async () => {
    const f = file('snapshot', 300);
    server.files.set(`/repo/snapshots/${f.h.name}`, f.data);
    server.inject([{ status: 429 }, { reset: 'before-response' }]);

    expect((await backend.stat(f.h)).size).toBe(300);
    expect(requestsTo('HEAD', f.h).map((r) => r.outcome)).toEqual(['429', 'reset', 'ok']);
    expect(retries[0]!.error.message).toMatch(/HTTP 429: the server is throttling/);
  });

  it('retries a load whose connection is reset in the middle of the body', async () => {
    const f = file('data', 200_000);
    server.files.set(`/repo/data/${f.h.name}`, f.data);
    server.inject([{ reset: 'mid-body' }]);

    const got = await backend.load(f.h, 1000, 50);

    expect(Buffer.from(got).equals(f.data.subarray(50, 1050))).toBe(true);
    expect(requestsTo('GET', f.h).map((r) => r.outcome)).toEqual(['reset', 'ok']);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error.kind).toBe('transient');
  });

  it('retries a response that does not come in time (headers timeout)', async () => {
    const f = file('key', 400);
    server.files.set(`/repo/keys/${f.h.name}`, f.data);
    server.inject([{ delayMs: 3_000 }]);

    expect(Buffer.from(await backend.load(f.h)).equals(f.data)).toBe(true);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error.message).toMatch(/UND_ERR_HEADERS_TIMEOUT|timeout/i);
  });

  it('sends the whole multi-part payload again after a failed save, removing what the failed attempt may have left', async () => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)];
    const whole = Buffer.concat(parts);
    const h: Handle = { type: 'data', name: createHash('sha256').update(whole).digest('hex') };
    server.inject([{ status: 500 }, { reset: 'before-response' }], (m) => m === 'POST');

    await backend.save(h, parts);

    expect(server.files.get(`/repo/data/${h.name}`)?.equals(whole)).toBe(true);
    const calls = server.requests.map((r) => `${r.method} ${r.outcome} ${r.bodyBytes}`);
    expect(calls).toEqual([
      `POST 500 ${whole.byteLength}`,
      'DELETE ok 0',
      `POST reset ${whole.byteLength}`,
      'DELETE ok 0',
      `POST ok ${whole.byteLength}`,
    ]);
  });

  it('fails at once on 403, naming the object and the likely cause', async () => {
    const f = file('data', 10);
    server.inject([{ status: 403 }]);

    const e = await failure(backend.save(f.h, f.data));

    expect(e).toBeInstanceOf(BackendError);
    expect((e as BackendError).kind).toBe('denied');
    expect((e as Error).message).toBe(
      `save rest:${server.url}repo/data/${f.h.name}: HTTP 403: access denied: check the credentials and the permissions on the server (an append-only server also refuses deletes and overwrites)`,
    );
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('fails at once on 401 with a hint about the URL credentials', async () => {
    server.inject([{ status: 401 }]);
    const e = await failure(backend.load({ type: 'config', name: '' }));
    expect((e as BackendError).kind).toBe('denied');
    expect((e as Error).message).toMatch(/load rest:http:\/\/127\.0\.0\.1:\d+\/repo\/config: HTTP 401: authentication failed: check the user name and password/);
    expect(server.requests).toHaveLength(1);
  });

  it('never retries a missing file: not-found at once, naming it', async () => {
    const f = file('index', 10);
    const e = await failure(backend.load(f.h));
    expect((e as BackendError).kind).toBe('not-found');
    expect((e as Error).message).toBe(`load rest:${server.url}repo/index/${f.h.name}: does not exist (HTTP 404)`);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after the attempt bound, saying how often and how long it tried', async () => {
    const f = file('index', 10);
    server.inject(Array.from({ length: 10 }, () => ({ status: 502 })));

    const e = await failure(backend.load(f.h));

    expect((e as BackendError).kind).toBe('transient');
    expect((e as Error).message).toMatch(/HTTP 502: a server-side failure \(gave up after 5 attempts in \d+ ms\)$/);
    expect(server.requests).toHaveLength(5);
    expect(timing.slept).toEqual([50, 100, 200, 400]);
  });

  it('gives up when the next backoff would pass the time bound', async () => {
    const bounded = new RetryBackend(rest, { maxAttempts: 100, initialDelayMs: 1_000, maxDelayMs: 1_000, maxElapsedMs: 3_000, timing: fakeTiming(0.99) });
    server.inject(Array.from({ length: 10 }, () => ({ status: 503 })));
    const e = await failure(bounded.stat(file('lock', 1).h));
    expect((e as BackendError).kind).toBe('transient');
    // 990 ms backoffs: the 4th would end past 3 s.
    expect(server.requests).toHaveLength(4);
  });

  it('restarts a listing that failed part-way and yields each name once', async () => {
    server.listV1 = true;
    const files = Array.from({ length: 6 }, (_, i) => file('snapshot', 100 + i));
    for (const f of files) server.files.set(`/repo/snapshots/${f.h.name}`, f.data);
    // v1 lists names, then stats each: the third stat fails once.
    let heads = 0;
    server.inject([{ status: 503 }], (m) => m === 'HEAD' && ++heads === 3);

    const listed: FileInfo[] = [];
    for await (const f of backend.list('snapshot')) listed.push(f);

    expect(listed.map((f) => f.name).sort()).toEqual(files.map((f) => f.h.name).sort());
    expect(new Set(listed.map((f) => f.name)).size).toBe(6);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('stops waiting for a backoff when the call is cancelled', async () => {
    const slow = new RetryBackend(rest, { initialDelayMs: 60_000, maxDelayMs: 60_000 });
    server.inject(Array.from({ length: 3 }, () => ({ status: 503 })));
    const controller = new AbortController();
    const started = Date.now();
    const loading = slow.load(file('index', 1).h, 0, 0, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);

    const e = await failure(loading);

    expect(e).toBeInstanceOf(ChunkvaultError);
    expect((e as ChunkvaultError).code).toBe(ErrorCode.Aborted);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });

  it('does not start a call whose signal is already cancelled', async () => {
    const e = await failure(backend.save(file('data', 5).h, randomBytes(5), { signal: AbortSignal.abort() }));
    expect((e as ChunkvaultError).code).toBe(ErrorCode.Aborted);
    expect(server.requests).toEqual([]);
  });
});

describe('the REST backend against protocol variations', () => {
  let server: FaultServer;
  let backend: RestBackend;

  beforeEach(async () => {
    server = await startFaultServer();
    backend = new RestBackend({ url: new URL(`${server.url}r`) });
  });

  afterEach(async () => {
    await backend.close();
    await server.close();
  });

  it('takes the right slice from a server that ignores Range and answers 200', async () => {
    server.ignoreRange = true;
    const f = file('data', 10_000);
    server.files.set(`/r/data/${f.h.name}`, f.data);
    expect(Buffer.from(await backend.load(f.h, 100, 9000)).equals(f.data.subarray(9000, 9100))).toBe(true);
    expect(Buffer.from(await backend.load(f.h, 0, 9990)).equals(f.data.subarray(9990))).toBe(true);
    await expect(backend.load(f.h, 100, 9950)).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('stops a request at once when its signal fires while the server is slow to answer', async () => {
    const f = file('index', 100);
    server.files.set(`/r/index/${f.h.name}`, f.data);
    server.inject([{ delayMs: 5_000 }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const e = await failure(backend.load(f.h, 0, 0, { signal: controller.signal }));
    expect((e as ChunkvaultError).code).toBe(ErrorCode.Aborted);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('lists a protocol v1 server by names, stat-ing each for its size', async () => {
    server.listV1 = true;
    const f = file('index', 1234);
    server.files.set(`/r/index/${f.h.name}`, f.data);
    server.files.set(`/r/index/not-an-id`, Buffer.from('x'));
    const listed: FileInfo[] = [];
    for await (const x of backend.list('index')) listed.push(x);
    expect(listed).toEqual([{ name: f.h.name, size: 1234 }]);
  });

  it('sends basic auth from the URL and shows the location without the password', async () => {
    const authed = new RestBackend({ url: new URL(`${server.url}r/`), username: 'backup', password: 's3cr:et/pw' });
    server.inject([{ status: 401 }]);
    const e = await failure(authed.stat({ type: 'config', name: '' }));
    expect(authed.location).toBe(`rest:http://backup:***@${server.url.slice('http://'.length)}r/`);
    expect((e as Error).message).toContain(authed.location);
    expect((e as Error).message).not.toContain('s3cr');
    const sent = server.requests[0]!.authorization!;
    expect(Buffer.from(sent.replace(/^Basic /, ''), 'base64').toString()).toBe('backup:s3cr:et/pw');
    await authed.close();
  });
});

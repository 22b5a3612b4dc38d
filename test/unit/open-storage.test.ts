/**
 * openStorage: the one place that opens a backend for a parsed location and stacks the
 * decorators, in the documented order (plain → counting → retry → metadata cache).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingBackend } from '../../src/backends/decorators/counting.ts';
import { MetadataCacheBackend } from '../../src/backends/decorators/metadata-cache.ts';
import { RetryBackend, type RetryTiming } from '../../src/backends/decorators/retry.ts';
import { LocalBackend } from '../../src/backends/local.ts';
import { openStorage, parseConcurrency } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { RestBackend } from '../../src/backends/rest.ts';
import { ErrorCode } from '../../src/engine/errors.ts';

const rest = (url: string) => parseLocation(url, '/');

/** Retries without waiting. */
const NO_WAIT: RetryTiming = { now: () => 0, sleep: async () => {}, random: () => 0 };

describe('openStorage', () => {
  it('opens REST and local backends wrapped for retries, showing no password', async () => {
    const remote = (await openStorage(rest('rest:https://user:secret@host.example:8000/repo'), { concurrency: 7 })).backend;
    expect(remote.location).toBe('rest:https://user:***@host.example:8000/repo/');
    expect(remote.connections).toBe(7);
    const local = (await openStorage(parseLocation('relative/repo', '/work'))).backend;
    expect(local.localRoot).toBe('/work/relative/repo');
    expect((await openStorage(rest('rest:http://h:1/'))).backend.connections).toBe(5);
  });

  it('takes REST credentials from RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD when the URL has none', async () => {
    const remote = (await openStorage(rest('rest:http://host:8000/'), { env: { RESTIC_REST_USERNAME: 'u', RESTIC_REST_PASSWORD: 'pw' } })).backend;
    expect(remote.location).toBe('rest:http://u:***@host:8000/');
  });

  it('refuses a concurrency that is not a whole number from 1 to 64', async () => {
    for (const concurrency of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(openStorage(rest('rest:http://h:1/'), { concurrency }), String(concurrency)).rejects.toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringContaining('concurrency must be a whole number from 1 to 64') }),
      );
    }
  });

  it('reads a written concurrency, and names where a bad one came from', async () => {
    expect(parseConcurrency('8', 'CHUNKVAULT_CONCURRENCY')).toBe(8);
    for (const text of ['0', '65', '2.5', 'many', ' ']) {
      expect(() => parseConcurrency(text, 'CHUNKVAULT_CONCURRENCY'), text).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidInput, message: `CHUNKVAULT_CONCURRENCY must be a whole number from 1 to 64; got '${text}'` }),
      );
    }
  });

  it('refuses a CA file it cannot read, for REST and S3', async () => {
    const caFile = path.join('/nonexistent', 'ca.pem');
    const s3 = { accessKeyId: 'id', secretAccessKey: 'secret' };
    for (const location of ['rest:https://h:1/', 's3:https://h:1/bucket']) {
      await expect(openStorage(rest(location), { caFile, s3 }), location).rejects.toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringContaining(`cannot read the CA file ${caFile}`) }),
      );
    }
  });

  it('stacks plain → counting → retry → metadata cache, and hands out the layers callers use', async () => {
    const storage = await openStorage(rest('rest:http://h:1/'), { countRequests: true, metadataCacheDir: '/tmp/cache' });
    const [plain, counting, retry, cache, ...more] = storage.layers;
    expect(plain).toBeInstanceOf(RestBackend);
    expect(counting).toBeInstanceOf(CountingBackend);
    expect(retry).toBeInstanceOf(RetryBackend);
    expect(cache).toBeInstanceOf(MetadataCacheBackend);
    expect(more).toEqual([]);
    expect(storage.backend).toBe(cache);
    expect(storage.metadataCache).toBe(cache);
    expect(storage.counting).toBe(counting);
    expect(storage.metadataCache!.baseDir).toBe('/tmp/cache');
  });

  it('always retries, counts only when asked, and never caches a local repository', async () => {
    const remote = await openStorage(rest('rest:http://h:1/'));
    expect(remote.layers.map((l) => l.constructor)).toEqual([RestBackend, RetryBackend]);
    expect(remote.backend).toBe(remote.layers[1]);
    expect(remote.counting).toBeUndefined();
    expect(remote.metadataCache).toBeUndefined();
    const local = await openStorage(parseLocation('/srv/repo', '/'), { metadataCacheDir: '/tmp/cache' });
    expect(local.layers.map((l) => l.constructor)).toEqual([LocalBackend, RetryBackend]);
    expect(local.metadataCache).toBeUndefined();
  });

  describe('against a server that answers 503 twice', () => {
    let server: Server;
    let url: string;
    let requests = 0;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        requests++;
        res.statusCode = requests <= 2 ? 503 : 200;
        res.setHeader('Content-Length', '3');
        res.end(requests <= 2 ? 'no!' : 'cfg');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `rest:http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('counts every attempt the retry layer makes: the counter sits below it', async () => {
      const retries: number[] = [];
      const storage = await openStorage(rest(url), { countRequests: true, retry: { timing: NO_WAIT, onRetry: (e) => retries.push(e.attempt) } });
      const data = await storage.backend.load({ type: 'config', name: '' });
      expect(new TextDecoder().decode(data)).toBe('cfg');
      expect(retries).toEqual([1, 2]);
      expect(storage.counting!.count('load', 'config').calls).toBe(3);
      await storage.backend.close();
    });
  });
});

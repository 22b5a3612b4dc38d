/**
 * REST over TLS with a self-signed certificate (rclone serve restic --cert/--key): trusted
 * through the CA file option, refused without it, with a message saying what to do.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { startRcloneServer, type RcloneServer } from '../helpers/rclone-server.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

describe('REST over TLS with a self-signed certificate', () => {
  let dir: string;
  let server: RcloneServer;
  let certFile: string;

  beforeAll(async () => {
    dir = await makeTempDir('rest-tls');
    certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    server = await startRcloneServer(path.join(dir, 'served'), { certFile, keyFile });
  });

  afterAll(async () => {
    await server?.stop();
    await removeDir(dir);
  });

  it('serves https', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('works when the certificate is given as the CA file', async () => {
    const backend = (await openStorage(parseLocation(`rest:${server.url}trusted/`, dir), { caFile: certFile })).backend;
    await backend.create();
    const data = randomBytes(100_000);
    const h = { type: 'data' as const, name: createHash('sha256').update(data).digest('hex') };
    await backend.save(h, [data.subarray(0, 10), data.subarray(10)]);
    expect(Buffer.from(await backend.load(h, 500, 99_000)).equals(data.subarray(99_000, 99_500))).toBe(true);
    await backend.close();
  });

  it('fails at once without it, as permanent, pointing at the CA file option', async () => {
    const backend = (await openStorage(parseLocation(`rest:${server.url}untrusted/`, dir), { retry: { maxAttempts: 5 } })).backend;
    const started = Date.now();
    const e = await backend.stat({ type: 'config', name: '' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BackendError);
    expect((e as BackendError).kind).toBe('permanent');
    expect((e as Error).message).toMatch(/self[- ]signed|DEPTH_ZERO_SELF_SIGNED_CERT/i);
    expect((e as Error).message).toContain('pass its CA file');
    expect(Date.now() - started).toBeLessThan(2_000);
    await backend.close();
  });

  it('names the CA file when it cannot be read', async () => {
    await expect(openStorage(parseLocation(`rest:${server.url}x/`, dir), { caFile: path.join(dir, 'missing.pem') })).rejects.toThrow(
      /cannot read the CA file .*missing\.pem/,
    );
  });
});

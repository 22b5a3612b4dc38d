/** Repository locations in restic's syntax, and passwords kept out of everything shown. */
import { describe, expect, it } from 'vitest';
import { isRemoteLocation, openBackend, parseLocation, redactLocation } from '../../src/backends/location.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';

describe('parseLocation', () => {
  it('reads a plain path, or local:PATH, as a local directory resolved against the base', () => {
    expect(parseLocation('backups/app', '/work')).toEqual({ kind: 'local', path: '/work/backups/app' });
    expect(parseLocation('local:/srv/repo', '/work')).toEqual({ kind: 'local', path: '/srv/repo' });
    expect(parseLocation('  /srv/repo  ', '/work')).toEqual({ kind: 'local', path: '/srv/repo' });
  });

  it('reads rest: URLs, taking user and password out of the URL and decoding them', () => {
    const loc = parseLocation('rest:https://backup:p%40ss%2Fw%3Ard@host.example:8000/repos/app/', '/');
    expect(loc).toMatchObject({ kind: 'rest', username: 'backup', password: 'p@ss/w:rd' });
    expect(loc.kind === 'rest' && loc.url.href).toBe('https://host.example:8000/repos/app/');
    expect(parseLocation('rest:http://127.0.0.1:8000/', '/')).toMatchObject({ kind: 'rest', username: undefined, password: undefined });
  });

  it('passes what follows s3: to the S3 backend', () => {
    expect(parseLocation('s3:https://s3.example.com:9000/bucket/prefix', '/')).toEqual({ kind: 's3', spec: 'https://s3.example.com:9000/bucket/prefix' });
    expect(parseLocation('s3:s3.amazonaws.com/bucket', '/')).toEqual({ kind: 's3', spec: 's3.amazonaws.com/bucket' });
  });

  it('refuses what it cannot open, with the reason and without the password', () => {
    const cases: [string, RegExp][] = [
      ['', /no repository given/],
      ['rest:ftp://u:secret@host/', /http:\/\/ or https:\/\//],
      ['rest:not a url', /not a URL/],
      ['s3:', /at least a bucket/],
      ['sftp:user@host:/srv/repo', /the sftp backend is not supported/],
    ];
    for (const [location, message] of cases) {
      let error: unknown;
      try {
        parseLocation(location, '/');
      } catch (e) {
        error = e;
      }
      expect(error, location).toBeInstanceOf(ChunkvaultError);
      expect((error as Error).message, location).toMatch(message);
      expect((error as Error).message, location).not.toContain('secret');
    }
  });
});

describe('redactLocation', () => {
  it('replaces the password and keeps the rest', () => {
    expect(redactLocation('rest:https://user:secret@host:8000/repo/')).toBe('rest:https://user:***@host:8000/repo/');
    expect(redactLocation('rest:http://user:p%40ss@127.0.0.1:8000/')).toBe('rest:http://user:***@127.0.0.1:8000/');
    expect(redactLocation('s3:https://key:secret@s3.example.com/bucket')).toBe('s3:https://key:***@s3.example.com/bucket');
  });

  it('leaves locations without a password as they are', () => {
    for (const l of ['/srv/backups/app', 'local:/x', 'rest:http://user@host:8000/r', 'rest:http://host:8000/p@th/', 's3:s3.amazonaws.com/bucket']) {
      expect(redactLocation(l)).toBe(l);
    }
  });

  it('still hides a password that breaks URL parsing (a raw slash in it)', () => {
    const shown = redactLocation('rest:http://user:pa/ss@host:8000/repo');
    expect(shown).toBe('rest:http://user:***@host:8000/repo');
  });
});

describe('openBackend', () => {
  it('opens REST and local backends wrapped for retries, showing no password', () => {
    const rest = openBackend('rest:https://user:secret@host.example:8000/repo', { baseDir: '/', concurrency: 7 });
    expect(rest.location).toBe('rest:https://user:***@host.example:8000/repo/');
    expect(rest.connections).toBe(7);
    const local = openBackend('relative/repo', { baseDir: '/work' });
    expect(local.localRoot).toBe('/work/relative/repo');
    expect(openBackend('rest:http://h:1/', { baseDir: '/' }).connections).toBe(5);
  });

  it('takes REST credentials from RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD when the URL has none', () => {
    const rest = openBackend('rest:http://host:8000/', { baseDir: '/', env: { RESTIC_REST_USERNAME: 'u', RESTIC_REST_PASSWORD: 'pw' } });
    expect(rest.location).toBe('rest:http://u:***@host:8000/');
  });

  it('refuses a concurrency that is not a whole number from 1 to 64', () => {
    for (const concurrency of [0, -1, 1.5, 65, Number.NaN]) {
      expect(() => openBackend('rest:http://h:1/', { baseDir: '/', concurrency }), String(concurrency)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidInput }),
      );
    }
  });

  it('says the remote kinds are remote', () => {
    expect(isRemoteLocation('rest:http://h/')).toBe(true);
    expect(isRemoteLocation('s3:s3.amazonaws.com/b')).toBe(true);
    expect(isRemoteLocation('/srv/repo')).toBe(false);
    expect(isRemoteLocation('local:/srv/repo')).toBe(false);
  });
});

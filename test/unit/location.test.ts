/** Repository locations in restic's syntax, parsed once, and passwords kept out of everything shown. */
import { describe, expect, it } from 'vitest';
import { isRemoteLocation, parseLocation, redactLocation } from '../../src/backends/repository-location.ts';
import { ChunkvaultError } from '../../src/engine/errors.ts';

describe('parseLocation', () => {
  it('reads a plain path, or local:PATH, as a local directory resolved against the base', () => {
    expect(parseLocation('backups/app', '/work')).toEqual({ kind: 'local', path: '/work/backups/app', display: 'backups/app', secrets: [] });
    expect(parseLocation('local:/srv/repo', '/work')).toMatchObject({ kind: 'local', path: '/srv/repo', display: 'local:/srv/repo' });
    expect(parseLocation('  /srv/repo  ', '/work')).toMatchObject({ kind: 'local', path: '/srv/repo', display: '/srv/repo' });
  });

  it('reads rest: URLs, taking user and password out of the URL and decoding them', () => {
    const loc = parseLocation('rest:https://backup:p%40ss%2Fw%3Ard@host.example:8000/repos/app/', '/');
    expect(loc).toMatchObject({ kind: 'rest', username: 'backup', password: 'p@ss/w:rd' });
    expect(loc.kind === 'rest' && loc.url.href).toBe('https://host.example:8000/repos/app/');
    expect(parseLocation('rest:http://127.0.0.1:8000/', '/')).toMatchObject({ kind: 'rest', username: undefined, password: undefined, secrets: [] });
  });

  it('shows a REST location redacted, and names its password as decoded and percent-encoded so a log can mask both', () => {
    const loc = parseLocation('rest:https://backup:p%40ss%2Fw%3Ard@host.example:8000/repos/app/', '/');
    expect(loc.display).toBe('rest:https://backup:***@host.example:8000/repos/app/');
    expect(loc.secrets).toEqual(['p@ss/w:rd', 'p%40ss%2Fw%3Ard']);
    expect(parseLocation('rest:http://u:plain@h:1/', '/').secrets).toEqual(['plain']);
  });

  it('parses what follows s3: into bucket, prefix and host', () => {
    expect(parseLocation('s3:https://s3.example.com:9000/bucket/prefix', '/')).toEqual({
      kind: 's3',
      s3: { protocol: 'https:', host: 's3.example.com:9000', bucket: 'bucket', prefix: 'prefix', isAws: false, regionFromHost: undefined },
      display: 's3:https://s3.example.com:9000/bucket/prefix',
      secrets: [],
    });
    expect(parseLocation('s3:s3.amazonaws.com/bucket', '/')).toMatchObject({ kind: 's3', s3: { bucket: 'bucket', prefix: '', isAws: true } });
  });

  it('refuses what it cannot open, with the reason and without the password', () => {
    const cases: [string, RegExp][] = [
      ['', /no repository given/],
      ['rest:ftp://u:secret@host/', /http:\/\/ or https:\/\//],
      ['rest:not a url', /not a URL/],
      ['s3:', /at least a bucket/],
      ['s3:https://127.0.0.1:9000/', /no bucket name/],
      ['s3:https://key:secret-value@127.0.0.1:9000/bucket', /credentials do not belong in the S3 URL/],
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
      expect((error as Error).message, location).not.toMatch(/secret(?!-access-key)/);
    }
  });

  it('reads rclone:REMOTE:PATH and rclone\'s own local paths as given, to run rclone in the base directory', () => {
    expect(parseLocation('rclone:b2prod:bucket/repo', '/work')).toEqual({ kind: 'rclone', remote: 'b2prod:bucket/repo', cwd: '/work', display: 'rclone:b2prod:bucket/repo', secrets: [] });
    expect(parseLocation('rclone:/srv/repo', '/work')).toMatchObject({ kind: 'rclone', remote: '/srv/repo', display: 'rclone:/srv/repo' });
    // A relative path is rclone's too: rclone runs in the base directory, so it means what it means for a local repository.
    expect(parseLocation(' rclone:backups/app ', '/work')).toMatchObject({ kind: 'rclone', remote: 'backups/app', cwd: '/work' });
    expect(parseLocation('rclone:remote:', '/')).toMatchObject({ kind: 'rclone', remote: 'remote:' });
  });

  it('hides the credentials of an rclone connection string, and names them so a log can mask them', () => {
    const loc = parseLocation('rclone::sftp,host=h.example,user=backup,pass=0bSCURED,key_pem="-----BEGIN x":/srv/repo', '/');
    expect(loc).toMatchObject({ kind: 'rclone', remote: ':sftp,host=h.example,user=backup,pass=0bSCURED,key_pem="-----BEGIN x":/srv/repo' });
    expect(loc.display).toBe('rclone::sftp,host=h.example,user=backup,pass=***,key_pem=***:/srv/repo');
    expect(loc.secrets).toEqual(['0bSCURED', '-----BEGIN x']);
    expect(parseLocation('rclone:s3remote,secret_access_key=abc,session_token=xyz:bucket', '/').display).toBe('rclone:s3remote,secret_access_key=***,session_token=***:bucket');
    expect(redactLocation('rclone:s3remote,secret_access_key=abc:bucket')).toBe('rclone:s3remote,secret_access_key=***:bucket');
  });

  it('refuses an rclone location that names nothing', () => {
    expect(() => parseLocation('rclone:', '/')).toThrow(/rclone:REMOTE:PATH/);
  });

  it('says the remote kinds are remote', () => {
    expect(isRemoteLocation(parseLocation('rclone:remote:path', '/'))).toBe(true);
    expect(isRemoteLocation(parseLocation('rest:http://h/', '/'))).toBe(true);
    expect(isRemoteLocation(parseLocation('s3:s3.amazonaws.com/b', '/'))).toBe(true);
    expect(isRemoteLocation(parseLocation('/srv/repo', '/'))).toBe(false);
    expect(isRemoteLocation(parseLocation('local:/srv/repo', '/'))).toBe(false);
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

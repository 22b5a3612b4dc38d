/**
 * S3 credentials found by the AWS SDK's default chain, each source served for real on
 * loopback: a profile in a shared credentials file, the ECS container endpoint and the EC2
 * instance metadata service (IMDSv2). The CLI then backs up to, or lists, the run's shared
 * S3 server (Swift s3api) with what the chain found. Nothing found is one line that says
 * what to set; a secret the chain fetched never reaches a message.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/backends/open-storage.ts';
import { parseLocation } from '../../src/backends/repository-location.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { CHEAP_KDF } from '../helpers/cheap-repository.ts';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import type { S3Endpoint } from '../helpers/s3-server.ts';
import { sharedS3Server } from '../helpers/shared-servers.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'credential-chain';
/** A session token the server ignores (Swift's tempauth has no STS); it must still never be shown. */
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjE-session-token-from-the-chain';

/** A credentials document as ECS and IMDS serve it, valid for an hour. */
function roleCredentials(accessKeyId: string, secretAccessKey: string): string {
  return JSON.stringify({
    Code: 'Success',
    Type: 'AWS-HMAC',
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    Token: SESSION_TOKEN,
    Expiration: new Date(Date.now() + 3600_000).toISOString(),
    LastUpdated: new Date().toISOString(),
  });
}

/** A loopback HTTP server; `requests` records each `METHOD path` it answered. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** IMDSv2: a token from PUT /latest/api/token, then the role name and its credentials, each only with the token. */
function imdsHandler(role: string, credentials: () => string): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const token = 'imds-session-token-0123456789';
  return (req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token' && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) {
      res.end(token);
      return;
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) {
      res.writeHead(401).end();
      return;
    }
    if (req.url === '/latest/meta-data/iam/security-credentials/') res.end(role);
    else if (req.url === `/latest/meta-data/iam/security-credentials/${role}`) res.end(credentials());
    else res.writeHead(404).end();
  };
}

describe('S3 credentials from the default chain, through the CLI', () => {
  let server: S3Endpoint;
  let dir: string;
  let source: string;
  let repository: string;
  /** No AWS_* variables, a HOME without ~/.aws, and no instance metadata service: each test adds its one source. */
  let baseEnv: Record<string, string>;
  let closedPort: string;

  beforeAll(async () => {
    [server, dir] = await Promise.all([sharedS3Server(), makeTempDir('s3-chain')]);
    source = path.join(dir, 'source');
    await mkdir(source);
    await writeFile(path.join(source, 'file.txt'), 'backed up with chain credentials\n');
    repository = `s3:${server.rest(`chain-${process.pid}`, 'repo')}`;
    const { backend } = await openStorage(parseLocation(repository, dir), {
      caFile: server.caFile,
      s3: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    await Repository.init(backend, PASSWORD, { kdf: CHEAP_KDF });
    await backend.close();
    // A port nothing listens on: IMDS calls fail at once instead of waiting for 169.254.169.254.
    const closed = await serve(() => {});
    closedPort = new URL(closed.url).port;
    await closed.close();
    baseEnv = {
      RESTIC_REPOSITORY: repository,
      RESTIC_PASSWORD: PASSWORD,
      CHUNKVAULT_CACERT: server.caFile,
      AWS_REGION: server.region,
      HOME: dir,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    };
  });
  afterAll(() => removeDir(dir));

  it('backs up with a profile from AWS_SHARED_CREDENTIALS_FILE named by AWS_PROFILE', async () => {
    const file = path.join(dir, 'aws-credentials');
    await writeFile(
      file,
      `[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[backup]\naws_access_key_id = ${server.accessKeyId}\naws_secret_access_key = ${server.secretAccessKey}\n`,
    );
    const r = await runCli(['backup', '--json', source], { ...baseEnv, AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'backup' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).snapshot_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists snapshots with the ECS container role (AWS_CONTAINER_CREDENTIALS_FULL_URI)', async () => {
    const ecs = await serve((req, res) => {
      if (req.url === '/creds') res.writeHead(200, { 'content-type': 'application/json' }).end(roleCredentials(server.accessKeyId, server.secretAccessKey));
      else res.writeHead(404).end();
    });
    try {
      const r = await runCli(['snapshots', '--json'], { ...baseEnv, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/creds` });
      expect(r.code, r.stderr).toBe(0);
      expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
      expect(ecs.requests).toContain('GET /creds');
    } finally {
      await ecs.close();
    }
  });

  it('backs up with the EC2 instance role from IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT)', async () => {
    const imds = await serve(imdsHandler('runner-role', () => roleCredentials(server.accessKeyId, server.secretAccessKey)));
    try {
      const r = await runCli(['backup', '--json', source], { ...baseEnv, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).snapshot_id).toMatch(/^[0-9a-f]{64}$/);
      expect(imds.requests).toEqual(expect.arrayContaining(['PUT /latest/api/token', 'GET /latest/meta-data/iam/security-credentials/', 'GET /latest/meta-data/iam/security-credentials/runner-role']));
    } finally {
      await imds.close();
    }
  });

  it('keeps a session token the chain fetched out of the message when a server echoes it back', async () => {
    // Some S3 servers quote the request's headers in their errors, as this one does.
    const echoing = await serve((req, res) => {
      const quoted = `unsupported header x-amz-security-token: ${String(req.headers['x-amz-security-token'])}`;
      res.writeHead(400, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>${quoted}</Message></Error>`);
    });
    const ecs = await serve((_req, res) => res.writeHead(200).end(roleCredentials(server.accessKeyId, server.secretAccessKey)));
    try {
      const r = await runCli(['snapshots'], {
        ...baseEnv,
        RESTIC_REPOSITORY: `s3:${echoing.url}/bucket/repo`,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/creds`,
      });
      expect(r.code).not.toBe(0);
      expect(echoing.requests.length).toBeGreaterThan(0);
      expect(r.stderr).toContain('InvalidArgument');
      expect(r.stderr).toContain('x-amz-security-token: ***');
      expect(r.stderr + r.stdout).not.toContain(SESSION_TOKEN);
    } finally {
      await Promise.all([echoing.close(), ecs.close()]);
    }
  });

  it('in the action, masks the secrets the chain fetched as they arrive', async () => {
    const echoing = await serve((req, res) => {
      res.writeHead(400, { 'content-type': 'application/xml' }).end(`<Error><Code>InvalidArgument</Code><Message>token ${String(req.headers['x-amz-security-token'])}</Message></Error>`);
    });
    const ecs = await serve((_req, res) => res.writeHead(200).end(roleCredentials(server.accessKeyId, server.secretAccessKey)));
    try {
      const run = await runAction({ mode: 'snapshots', repository: `s3:${echoing.url}/bucket/repo`, password: PASSWORD }, dir, undefined, {
        HOME: dir,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/creds`,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: baseEnv.AWS_EC2_METADATA_SERVICE_ENDPOINT!,
      });
      expect(run.code).not.toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines).toContain(`::add-mask::${SESSION_TOKEN}`);
      expect(lines).toContain(`::add-mask::${server.secretAccessKey}`);
      expect(lines.find((l) => l.startsWith('::error::'))).toMatch(/InvalidArgument.*token \*\*\*/);
      expect(lines.filter((l) => !l.startsWith('::add-mask::')).join('\n') + run.stderr).not.toContain(SESSION_TOKEN);
    } finally {
      await Promise.all([echoing.close(), ecs.close()]);
    }
  });

  it('with nothing anywhere, fails in one line that says what to set', async () => {
    const r = await runCli(['snapshots'], baseEnv);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/no S3 credentials found: set the aws-access-key-id .*AWS_ACCESS_KEY_ID .*AWS_PROFILE .*EC2 instance role/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

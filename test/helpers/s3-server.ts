/**
 * A real S3 server on loopback for tests: a single-node OpenStack Swift (Debian's packages)
 * with its s3api middleware, over TLS with a fresh self-signed certificate. Every call starts
 * its own servers on free ports in a temporary directory and `stop()` removes them again;
 * `s3Endpoint` describes one started elsewhere (the integration run shares one).
 *
 * TLS is not optional: over plain http restic's S3 client sends `aws-chunked` bodies, which
 * the s3api of Swift 2.30 refuses. A missing package fails the test and names what to install.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTempDir, removeDir } from './temp.ts';
import { freePorts, stopChild } from './processes.ts';

/** Debian packages the server needs; `.ci/run` installs them. */
export const SWIFT_PACKAGES = ['swift', 'swift-proxy', 'swift-account', 'swift-container', 'swift-object', 'memcached'];

const REQUIRED_FILES = [
  '/usr/bin/swift-proxy-server',
  '/usr/bin/swift-account-server',
  '/usr/bin/swift-container-server',
  '/usr/bin/swift-object-server',
  '/usr/bin/memcached',
  '/usr/bin/python3',
  '/usr/bin/openssl',
  // Swift reads its hash prefix and storage policies from this fixed path (shipped by `swift`).
  '/etc/swift/swift.conf',
];

// About 4 s on an idle 2-core machine; much longer when other test files keep the cores busy.
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/** tempauth users: `test:tester` owns the buckets; `test:limited` is in the same account without rights. */
export const S3_ACCESS_KEY_ID = 'test:tester';
export const S3_SECRET_ACCESS_KEY = 'testing';
export const S3_LIMITED_ACCESS_KEY_ID = 'test:limited';
export const S3_LIMITED_SECRET_ACCESS_KEY = 'limited-secret';
export const S3_REGION = 'us-east-1';

/** Where the server listens and how to sign in: plain data (a global setup hands it to tests). */
export interface S3Connection {
  /** `https://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** PEM file of the server's self-signed certificate (restic's `--cacert`). */
  readonly caFile: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** What a test needs to use a running server. */
export interface S3Endpoint extends S3Connection {
  /** The part of a repository location after `s3:` for a bucket and optional prefix. */
  rest(bucket: string, prefix?: string): string;
}

/** A server this process started, with the controls only its owner may use. */
export interface S3TestServer extends S3Endpoint {
  /** Stops Swift's object server: the proxy then answers object requests with 503, as a store in trouble does. */
  stopObjectServer(): Promise<void>;
  /** Starts the object server again and waits until it accepts connections. */
  startObjectServer(): Promise<void>;
  /** The server logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** The endpoint of a server started elsewhere (the integration run's shared one). */
export function s3Endpoint(connection: S3Connection): S3Endpoint {
  const { endpoint, caFile, accessKeyId, secretAccessKey, region } = connection;
  return {
    endpoint,
    caFile,
    accessKeyId,
    secretAccessKey,
    region,
    rest: (bucket, prefix) => `${endpoint}/${bucket}${prefix ? `/${prefix}` : ''}`,
  };
}

export function assertSwiftInstalled(): void {
  const missing = REQUIRED_FILES.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `the S3 test server (OpenStack Swift with s3api) is not installed: missing ${missing.join(', ')}. ` +
        `Install it with: apt-get install -y --no-install-recommends ${SWIFT_PACKAGES.join(' ')} (.ci/run does this)`,
    );
  }
}

/** Starts a fresh server; tries again on new ports when one it picked was taken in the meantime. */
export async function startS3Server(): Promise<S3TestServer> {
  assertSwiftInstalled();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error) || !/Could not bind|Address already in use/.test(e.message)) throw e;
    }
  }
}

async function startOnce(): Promise<S3TestServer> {
  const dir = await makeTempDir('swift');
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  // Swift's servers are separate Python processes: never leave them behind if the test process dies.
  process.once('exit', killAll);

  const stop = async () => {
    process.removeListener('exit', killAll);
    await Promise.all(children.map((c) => stopChild(c, STOP_TIMEOUT_MS)));
    await removeDir(dir);
  };

  try {
    const etc = path.join(dir, 'etc');
    const devices = path.join(dir, 'srv');
    const logDir = path.join(dir, 'log');
    await Promise.all([mkdir(etc), mkdir(path.join(devices, 'd1'), { recursive: true }), mkdir(logDir)]);

    const caFile = path.join(etc, 'cert.pem');
    const keyFile = path.join(etc, 'key.pem');
    const [ports] = await Promise.all([freePorts(5), makeCertificate(caFile, keyFile)]);
    const [proxyPort, objectPort, containerPort, accountPort, memcachePort] = ports as [number, number, number, number, number];

    const user = os.userInfo().username;
    const common = (port: number) =>
      [
        '[DEFAULT]',
        `devices = ${devices}`,
        'mount_check = false',
        'bind_ip = 127.0.0.1',
        `bind_port = ${port}`,
        // One process per server: nothing to gain from forking workers in a test.
        'workers = 0',
        `swift_dir = ${etc}`,
        `user = ${user}`,
        'log_level = WARNING',
        // A port taken since we picked it: give up fast and start again on others.
        'bind_timeout = 2',
      ].join('\n');
    const backend = (name: string, port: number) =>
      `${common(port)}\n[pipeline:main]\npipeline = ${name}-server\n[app:${name}-server]\nuse = egg:swift#${name}\n`;

    await Promise.all([
      writeFile(path.join(etc, 'object-server.conf'), backend('object', objectPort)),
      writeFile(path.join(etc, 'container-server.conf'), backend('container', containerPort)),
      writeFile(path.join(etc, 'account-server.conf'), backend('account', accountPort)),
      writeFile(path.join(etc, 'proxy-server.conf'), proxyConfig(common(proxyPort), caFile, keyFile, memcachePort)),
    ]);

    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: os.homedir(), LANG: 'C.UTF-8' };
    const named = new Map<string, ChildProcess>();
    const launch = (name: string, command: string, args: string[]) => {
      const log = openSync(path.join(logDir, `${name}.log`), 'a');
      try {
        const child = spawn(command, args, { env, stdio: ['ignore', log, log] });
        children.push(child);
        named.set(name, child);
      } finally {
        closeSync(log);
      }
    };
    // memcached refuses to run as root without -u; tempauth keeps its state in it.
    launch('memcached', '/usr/bin/memcached', ['-u', user, '-l', '127.0.0.1', '-p', String(memcachePort), '-U', '0', '-m', '16']);
    // The storage servers need no rings, so they start while the rings are built; the proxy needs them.
    for (const s of ['account', 'container', 'object']) {
      launch(s, `/usr/bin/swift-${s}-server`, [path.join(etc, `${s}-server.conf`), '--verbose']);
    }
    await buildRings(etc, { object: objectPort, container: containerPort, account: accountPort });
    launch('proxy', '/usr/bin/swift-proxy-server', [path.join(etc, 'proxy-server.conf'), '--verbose']);

    const endpoint = `https://127.0.0.1:${proxyPort}`;
    const ca = await readFile(caFile);
    await waitUntilUp(children, [objectPort, containerPort, accountPort, memcachePort], `${endpoint}/healthcheck`, ca, logDir);

    return {
      ...s3Endpoint({ endpoint, caFile, accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY, region: S3_REGION }),
      stopObjectServer: async () => {
        const child = named.get('object');
        if (child) await stopChild(child);
      },
      startObjectServer: async () => {
        const running = named.get('object');
        if (running && running.exitCode === null && running.signalCode === null) return;
        launch('object', '/usr/bin/swift-object-server', [path.join(etc, 'object-server.conf'), '--verbose']);
        const started = Date.now();
        while (!(await canConnect(objectPort))) {
          if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`the object server did not come back:\n${await readLogs(logDir)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      logs: () => readLogs(logDir),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function proxyConfig(common: string, certFile: string, keyFile: string, memcachePort: number): string {
  return `${common}
cert_file = ${certFile}
key_file = ${keyFile}

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# A storage server that failed is normally skipped for 60 s; tests restart one and go on at once.
error_suppression_interval = 1

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${S3_SECRET_ACCESS_KEY} .admin
user_test_limited = ${S3_LIMITED_SECRET_ACCESS_KEY}

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
`;
}

/** One Python process writes all three single-device rings (swift-ring-builder would take three each). */
function buildRings(etc: string, ports: Record<'object' | 'container' | 'account', number>): Promise<void> {
  const script = `
import os, sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in (('object', int(sys.argv[2])), ('container', int(sys.argv[3])), ('account', int(sys.argv[4]))):
    b = RingBuilder(6, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100})
    b.rebalance()
    b.get_ring().save(os.path.join(etc, name + '.ring.gz'))
`;
  return run('/usr/bin/python3', ['-c', script, etc, String(ports.object), String(ports.container), String(ports.account)]);
}

function makeCertificate(certFile: string, keyFile: string): Promise<void> {
  return run('/usr/bin/openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ]);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { PATH: '/usr/bin:/bin' } }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(command)} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

async function waitUntilUp(children: ChildProcess[], ports: number[], healthUrl: string, ca: Buffer, logDir: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const pending = new Set(ports);
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`an S3 test server process exited early (${dead.spawnargs.join(' ')}):\n${await readLogs(logDir)}`);
    for (const port of [...pending]) if (await canConnect(port)) pending.delete(port);
    if (pending.size === 0 && (await isHealthy(healthUrl, ca))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the S3 test server did not come up within ${START_TIMEOUT_MS / 1000} s:\n${await readLogs(logDir)}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isHealthy(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(url, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

async function readLogs(logDir: string): Promise<string> {
  const names = await readdir(logDir).catch(() => [] as string[]);
  const parts = await Promise.all(
    names.sort().map(async (n) => {
      const text = await readFile(path.join(logDir, n), 'utf8').catch(() => '');
      return `--- ${n} (last lines)\n${text.split('\n').slice(-30).join('\n')}`;
    }),
  );
  return parts.join('\n');
}

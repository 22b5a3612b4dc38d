/**
 * A real restic REST server for tests: `rclone serve restic` (Debian's rclone) on a free
 * loopback port, serving a directory. A missing rclone fails the test: it never skips.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stopChild } from './processes.ts';

export const RCLONE_BIN = process.env.RCLONE_BIN ?? '/usr/bin/rclone';

export interface RcloneServer {
  /** `http://127.0.0.1:PORT/` (or https), without credentials. */
  url: string;
  /** The directory served; repository `rest:<url>NAME/` lives in `<dir>/NAME`. */
  dir: string;
  /** What rclone printed so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface RcloneServerOptions {
  /** Require HTTP basic auth with this user and password. */
  user?: string;
  pass?: string;
  /** Serve TLS with this certificate and key (PEM files). */
  certFile?: string;
  keyFile?: string;
  /** Extra rclone flags. */
  args?: string[];
}

export function assertRcloneInstalled(): void {
  if (!existsSync(RCLONE_BIN)) {
    throw new Error(`rclone is not installed at ${RCLONE_BIN}: run 'apt-get install rclone' (.ci/run does this)`);
  }
}

export async function startRcloneServer(dir: string, opts: RcloneServerOptions = {}): Promise<RcloneServer> {
  assertRcloneInstalled();
  const args = ['serve', 'restic', '--addr', '127.0.0.1:0', '--config', '/dev/null'];
  if (opts.user !== undefined) args.push('--user', opts.user);
  if (opts.pass !== undefined) args.push('--pass', opts.pass);
  if (opts.certFile) args.push('--cert', opts.certFile);
  if (opts.keyFile) args.push('--key', opts.keyFile);
  args.push(...(opts.args ?? []), dir);
  const child = spawn(RCLONE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`rclone serve restic did not start within 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Serving restic REST API on (https?:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.endsWith('/') ? m[1]! : `${m[1]}/`);
      }
    };
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => fail(new Error(`cannot run ${RCLONE_BIN}: ${e.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`rclone serve restic exited (${code ?? signal}) before serving:\n${output}`)));
  });
  return { url, dir, log: () => output, stop: () => stopChild(child) };
}


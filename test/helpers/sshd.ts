/**
 * A throwaway OpenSSH server on loopback, for SFTP remotes in tests: Debian's sshd in the
 * foreground on a free port, with a generated host key, one generated client key allowed
 * in, and nothing of the machine's own configuration. A missing sshd or ssh-keygen fails
 * the test (it never skips): install the Debian package openssh-server (.ci/run does).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, stopChild } from './processes.ts';

export const SSHD_BIN = process.env.SSHD_BIN ?? '/usr/sbin/sshd';
const SSH_KEYGEN_BIN = '/usr/bin/ssh-keygen';
/** Where sshd, started as root, insists on an empty directory to drop privileges into. */
const PRIVSEP_DIR = '/run/sshd';

export interface SshServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The client's private key (OpenSSH format). */
  keyFile: string;
  /** A known_hosts file that names this server's host key. */
  knownHostsFile: string;
  log(): string;
  stop(): Promise<void>;
}

export function assertSshdInstalled(): void {
  for (const program of [SSHD_BIN, SSH_KEYGEN_BIN]) {
    if (!existsSync(program)) {
      throw new Error(`OpenSSH is not installed: ${program} is missing. Install the Debian packages openssh-server and openssh-client (.ci/run does this).`);
    }
  }
}

/** Starts sshd with its keys and configuration in `dir` (which must exist). */
export async function startSshServer(dir: string): Promise<SshServer> {
  assertSshdInstalled();
  const hostKey = path.join(dir, 'host_ed25519');
  const keyFile = path.join(dir, 'client_ed25519');
  await Promise.all([keygen(hostKey), keygen(keyFile)]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${keyFile}.pub`), { mode: 0o600 });
  const port = await freePort();
  const knownHostsFile = path.join(dir, 'known_hosts');
  await writeFile(knownHostsFile, `[127.0.0.1]:${port} ${(await readFile(`${hostKey}.pub`, 'utf8')).trim()}\n`);
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temporary directory's owner and modes are not what sshd wants of a home.
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
  // sshd re-executes itself, so it wants its absolute path; -D: foreground, -e: log to stderr.
  const child = spawn(SSHD_BIN, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start listening within 15 s:\n${output}`)), 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr!.on('data', () => {
      if (/Server listening on 127\.0\.0\.1 port/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => fail(new Error(`cannot run ${SSHD_BIN}: ${e.message}`)));
    child.once('exit', (code, signal) => fail(new Error(`sshd exited (${code ?? signal}) before listening:\n${output}`)));
  });
  return { host: '127.0.0.1', port, user: os.userInfo().username, keyFile, knownHostsFile, log: () => output, stop: () => stopChild(child) };
}

async function keygen(file: string): Promise<void> {
  await promisify(execFile)(SSH_KEYGEN_BIN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'chunkvault-test', '-f', file]);
}


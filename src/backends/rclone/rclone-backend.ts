/**
 * `rclone:` repositories, as restic 0.14 opens them: start `rclone serve restic --stdio
 * REMOTE:PATH` and speak restic's REST protocol to it over HTTP/2 on the child's standard
 * input and output. The protocol is the REST backend's; only its transport differs.
 *
 * rclone reads its remotes from its own configuration: RCLONE_CONFIG (a file) or
 * RCLONE_CONFIG_<NAME>_<OPTION> variables, and its flags from RCLONE_<FLAG> variables. It
 * gets our environment for that, without the repository password and the action's inputs
 * (commandEnvironment): it never needs them, since what it stores is encrypted already.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError, ChunkvaultError, ErrorCode, type Backend } from '../../engine/index.ts';
import { commandEnvironment } from '../../process/run-shell.ts';
import { Http2Transport } from '../http2-transport.ts';
import type { HttpTransport } from '../http-transport.ts';
import type { RcloneLocation } from '../repository-location.ts';
import { RestBackend } from '../rest.ts';
import { RcloneProcess } from './rclone-process.ts';

/** restic's defaults: `--b2-hard-delete` so that a removed file is gone, not hidden (and billed) in B2. */
export const DEFAULT_RCLONE_PROGRAM = 'rclone';
export const DEFAULT_RCLONE_ARGS: readonly string[] = ['serve', 'restic', '--stdio', '--b2-hard-delete'];

/** How long rclone may take to answer its first request (restic's rclone.timeout). */
const START_TIMEOUT_MS = 60_000;
/** How long a broken first request waits for rclone's exit, to report why it exited. */
const EXIT_NOTICE_MS = 2_000;

export interface RcloneOptions {
  /** The rclone to run. @default 'rclone' (from the PATH) */
  program?: string;
  /** What to run it with; the remote is appended. @default DEFAULT_RCLONE_ARGS */
  args?: readonly string[];
}

export interface RcloneBackendOptions extends RcloneOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Requests in flight at most. */
  connections: number;
  /** Each line of rclone's standard error, prefixed and masked. */
  onLog?: (line: string) => void;
}

/** Starts rclone and waits until it answers, or fails with why it did not (not installed, a bad remote). */
export async function openRcloneBackend(location: RcloneLocation, opts: RcloneBackendOptions): Promise<Backend> {
  const rclone = new RcloneProcess({
    program: opts.program ?? DEFAULT_RCLONE_PROGRAM,
    args: [...(opts.args ?? DEFAULT_RCLONE_ARGS), location.remote],
    env: commandEnvironment(opts.env, {}),
    cwd: location.cwd,
    onLine: opts.onLog,
    secrets: location.secrets,
  });
  try {
    await rclone.started;
  } catch (e) {
    await rclone.close();
    throw e;
  }
  const http2 = new Http2Transport({
    connection: rclone.connection,
    maxStreams: opts.connections,
    responseTimeoutMs: 300_000,
    failure: () => rclone.failure(),
    gone: rclone.exited,
    onBusy: (busy) => rclone.setBusy(busy),
  });
  // Requests in flight when rclone exits fail at once, rather than wait for an answer that cannot come.
  void rclone.exited.then(() => http2.destroy());
  const transport: HttpTransport = {
    request: (req) => http2.request(req),
    close: async () => {
      // The session's goodbye travels over rclone's pipes, which must hold the process till then.
      rclone.setBusy(true);
      await http2.close();
      await rclone.close();
    },
  };
  try {
    await untilServing(transport, rclone);
  } catch (e) {
    await transport.close();
    throw e;
  }
  return new RestBackend({ url: new URL('http://localhost/'), transport, connections: opts.connections, location: location.display });
}

/** Asks for a file that does not exist, as restic does: any answer means rclone serves. */
async function untilServing(transport: HttpTransport, rclone: RcloneProcess): Promise<void> {
  const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
  try {
    const res = await Promise.race([
      transport.request({ method: 'HEAD', path: `/file-${randomBytes(8).toString('hex')}`, headers: {}, signal: timeout }),
      rclone.exited.then(() => Promise.reject(rclone.failure())),
    ]);
    await res.body.dump();
  } catch (e) {
    // A connection that broke is most likely rclone exiting: its reason says more.
    await Promise.race([rclone.exited, sleep(EXIT_NOTICE_MS)]);
    const failure = rclone.failure();
    if (failure) throw failure;
    if (timeout.aborted) {
      throw new BackendError('permanent', `rclone did not answer within ${START_TIMEOUT_MS / 1000} s: is the remote reachable? (RCLONE_VERBOSE=1 shows what it does)`);
    }
    throw new ChunkvaultError(ErrorCode.Backend, `cannot talk HTTP to rclone: ${(e as Error).message}`, { cause: e });
  }
}

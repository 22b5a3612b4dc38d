/**
 * The `rclone serve restic --stdio` child process behind an `rclone:` repository: its
 * standard input and output are the HTTP/2 connection, its standard error goes line by
 * line to the caller's log, prefixed and with the location's secrets masked.
 *
 * It runs in a session of its own, so that a Ctrl-C or a signal to our process group does
 * not stop it while we still need it to remove our lock. It never keeps our process alive
 * by itself: its pipes hold the event loop only while a request is in flight (`setBusy`),
 * as idle keep-alive sockets do not. Were our process to end without `close`, rclone reads
 * the end of its input and exits, and the exit hook sends it SIGTERM besides.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError } from '../../engine/index.ts';
import { LineTail } from '../../process/process-group.ts';

/** How long rclone gets to exit after the end of its input, then after SIGTERM. */
const EXIT_GRACE_MS = 5_000;
/** How long after rclone's exit its pipes may take to close. */
const PIPES_GRACE_MS = 1_000;

export interface RcloneProcessOptions {
  program: string;
  /** Everything after the program, the remote last. */
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Each line rclone writes to its standard error, prefixed `rclone: `. */
  onLine?: (line: string) => void;
  /** Strings never to pass to `onLine` or into an error (credentials in a connection string). */
  secrets?: readonly string[];
}

export class RcloneProcess {
  /** rclone's standard output (to read) and input (to write), as one stream. */
  readonly connection: Duplex;
  /** Settles when the process has exited, or could not start. */
  readonly exited: Promise<void>;
  /** Resolves once the process runs; rejects with why it could not start (rclone not installed). */
  readonly started: Promise<void>;
  readonly #child: ChildProcess;
  readonly #program: string;
  readonly #stderr: LineTail;
  #failure: BackendError | undefined;
  #closing = false;
  readonly #killAtExit = () => this.#signal('SIGTERM');

  constructor(opts: RcloneProcessOptions) {
    this.#program = opts.program;
    const mask = (line: string) => (opts.secrets ?? []).reduce((text, secret) => text.split(secret).join('***'), line);
    this.#stderr = new LineTail(5, (line) => opts.onLine?.(`rclone: ${mask(line)}`));
    this.#child = spawn(opts.program, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const { stdin, stdout, stderr } = this.#child;
    stderr!.setEncoding('utf8');
    stderr!.on('data', (text: string) => this.#stderr.push(text));
    // Write errors after rclone exited (EPIPE) surface as its exit, not as a crash.
    stdin!.on('error', () => {});
    this.connection = Duplex.from({ readable: stdout!, writable: stdin! });
    this.connection.on('error', () => {});
    this.exited = new Promise<void>((resolve) => {
      this.#child.once('error', (e: NodeJS.ErrnoException) => {
        this.#failure ??= new BackendError('permanent', this.#startFailure(e), { cause: e });
        process.off('exit', this.#killAtExit);
        resolve();
      });
      const ended = (code: number | null, signal: NodeJS.Signals | null) => {
        process.off('exit', this.#killAtExit);
        if (this.#failure) return resolve();
        this.#stderr.end();
        const last = this.#stderr.lines.map(mask).map(withoutTimestamp).filter(isWorthReporting).at(-1);
        const how = code !== null ? `with code ${code}` : `on ${signal}`;
        this.#failure = new BackendError('permanent', `rclone exited ${how}${last ? `: ${last}` : ''}`);
        resolve();
      };
      // 'close' comes once its last words on standard error are read; unless something it
      // started holds the pipes open, so 'exit' does too, a moment later.
      this.#child.once('close', ended);
      this.#child.once('exit', (code, signal) => setTimeout(() => ended(code, signal), PIPES_GRACE_MS).unref());
    });
    this.started = new Promise<void>((resolve, reject) => {
      this.#child.once('spawn', resolve);
      void this.exited.then(() => reject(this.#failure));
    });
    // Not awaited by whoever only needs `exited`.
    this.started.catch(() => {});
    process.on('exit', this.#killAtExit);
    this.setBusy(false);
    (stderr as unknown as Unreffable).unref?.();
  }

  /** Why rclone is gone, once it is; undefined while it runs (and after a `close` we asked for). */
  failure(): BackendError | undefined {
    if (this.#closing && this.#failure) return new BackendError('permanent', 'the rclone backend is closed');
    return this.#failure;
  }

  /** Lets rclone's pipes keep our process alive while `busy`, and not otherwise. */
  setBusy(busy: boolean): void {
    const pipes = [this.#child.stdin, this.#child.stdout] as unknown as (Unreffable | null)[];
    for (const pipe of pipes) {
      if (busy) pipe?.ref?.();
      else pipe?.unref?.();
    }
    if (busy) this.#child.ref();
    else this.#child.unref();
  }

  /** Ends rclone's input, which tells it to exit; SIGTERM, then SIGKILL, if it does not. */
  async close(): Promise<void> {
    this.#closing = true;
    this.setBusy(true);
    try {
      this.connection.end();
      if (await this.#exitsWithin(EXIT_GRACE_MS)) return;
      this.#signal('SIGTERM');
      if (await this.#exitsWithin(EXIT_GRACE_MS)) return;
      this.#signal('SIGKILL');
      await this.exited;
    } finally {
      this.connection.destroy();
      this.setBusy(false);
    }
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const exited = await Promise.race([this.exited.then(() => true), sleep(ms, false, { signal: timeout.signal }).catch(() => false)]);
    timeout.abort();
    return exited;
  }

  #signal(sig: NodeJS.Signals): void {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      this.#child.kill(sig);
    } catch {
      // gone already
    }
  }

  #startFailure(e: NodeJS.ErrnoException): string {
    if (e.code === 'ENOENT') {
      return `cannot run rclone: '${this.#program}' was not found; install rclone (https://rclone.org/install/, or apt-get install rclone) and put it on the PATH`;
    }
    return `cannot run rclone ('${this.#program}'): ${e.message}`;
  }
}

/** A child's pipe is a socket, which can stop holding the event loop; the stream types do not say so. */
interface Unreffable {
  ref?(): void;
  unref?(): void;
}

/** rclone's log lines start with a date and time, which an error message does not need. */
function withoutTimestamp(line: string): string {
  return line.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, '').trim();
}

/** What may say why rclone exited: its errors and fatal lines, not its notices ("Config file … not found"). */
function isWorthReporting(line: string): boolean {
  return line !== '' && !/^(NOTICE|INFO|DEBUG)\s*:/.test(line);
}

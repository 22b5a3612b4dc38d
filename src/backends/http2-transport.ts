/**
 * HTTP/2 over one duplex stream that is not a socket (rclone's standard input and output):
 * every request is a stream of the one session, at most `maxStreams` at a time. That is
 * the connection limit restic's rclone backend keeps too; there is no second connection
 * to open, so a lost session is lost for good and requests fail for good.
 */
import * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError, Semaphore } from '../engine/index.ts';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';

/**
 * Flow-control windows: HTTP/2's default of 64 KiB a stream would make a 16 MiB pack
 * wait for 256 window updates; 4 MiB a stream, 16 MiB in all, bounds what sits unread.
 */
const STREAM_WINDOW_BYTES = 4 << 20;
const SESSION_WINDOW_BYTES = 16 << 20;
/** How long a request that failed with the session waits for the far end's reason. */
const GONE_WAIT_MS = 2_000;

export interface Http2TransportOptions {
  connection: Duplex;
  /** Requests in flight at most. */
  maxStreams: number;
  /** Time allowed for the answer's headers, and between two pieces of its body. */
  responseTimeoutMs: number;
  /** Why the far end is gone, once it is: requests then fail with this rather than a protocol error. */
  failure(): BackendError | undefined;
  /** Settles when the far end is gone (the process has exited), which is when `failure` knows why. */
  gone: Promise<void>;
  /** Told when the first request in flight starts (true) and the last one ends (false). */
  onBusy?(busy: boolean): void;
}

export class Http2Transport implements HttpTransport {
  readonly #session: http2.ClientHttp2Session;
  readonly #slots: Semaphore;
  readonly #opts: Http2TransportOptions;
  #inFlight = 0;
  #sessionError: Error | undefined;

  constructor(opts: Http2TransportOptions) {
    this.#opts = opts;
    this.#slots = new Semaphore(Math.max(1, opts.maxStreams));
    // The authority is a formality: nothing is resolved or dialled.
    this.#session = http2.connect('http://localhost', {
      createConnection: () => opts.connection,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    this.#session.on('error', (e: Error) => {
      this.#sessionError = e;
    });
    this.#session.once('connect', () => this.#session.setLocalWindowSize(SESSION_WINDOW_BYTES));
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    await this.#slots.acquire();
    this.#setInFlight(+1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#setInFlight(-1);
      this.#slots.release();
    };
    try {
      req.signal?.throwIfAborted();
      this.#throwIfGone();
      const stream = this.#session.request(
        { ':method': req.method, ':path': req.path, ...req.headers },
        { endStream: req.body === undefined, ...(req.signal ? { signal: req.signal } : {}) },
      );
      stream.once('close', release);
      // Errors reach the caller through the answer or its body; one that comes after both is no crash.
      stream.on('error', () => {});
      stream.setTimeout(this.#opts.responseTimeoutMs, () =>
        stream.destroy(Object.assign(new Error(`no answer for ${this.#opts.responseTimeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
      );
      if (req.body) {
        req.body.once('error', (e) => stream.destroy(e));
        req.body.pipe(stream);
      }
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
        stream.once('close', () => reject(Object.assign(new Error('the stream closed before an answer came'), { code: 'ECONNRESET' })));
      });
      return { statusCode: Number(headers[':status']), headers: withoutPseudoHeaders(headers), body: this.#bodyOf(stream) };
    } catch (e) {
      release();
      throw await this.#explain(e);
    }
  }

  /**
   * Ends the session at once, when its peer is gone: requests in flight fail (with
   * `failure`, when known). The connection is ended rather than the session: destroying
   * the session would write its goodbye into a pipe that no longer drains, which Node
   * refuses with an internal assertion (seen in CI when rclone exited); without its
   * connection the session ends without writing.
   */
  destroy(): void {
    this.#opts.connection.destroy();
  }

  async close(): Promise<void> {
    if (this.#session.closed || this.#session.destroyed) return;
    // Waits for the streams in flight, then ends the session and its connection.
    await new Promise<void>((resolve) => this.#session.close(resolve));
  }

  #bodyOf(stream: http2.ClientHttp2Stream): HttpResponse['body'] {
    const explain = (e: unknown) => this.#explain(e);
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* chunksOf(stream);
        } catch (e) {
          throw await explain(e);
        }
      },
      async dump() {
        try {
          for await (const _ of chunksOf(stream));
        } catch (e) {
          throw await explain(e);
        }
      },
      destroy() {
        stream.destroy();
      },
    };
  }

  /**
   * The error a failed request reports. Once the session is over, the far end is gone or
   * going (its exit can lag behind the end of its output): wait a moment for it to say why,
   * and fail for good, since no request can succeed any more.
   */
  async #explain(e: unknown): Promise<unknown> {
    const known = this.#opts.failure();
    if (known) return known;
    if (!this.#session.closed && !this.#session.destroyed) return e;
    const timeout = new AbortController();
    await Promise.race([this.#opts.gone, sleep(GONE_WAIT_MS, undefined, { signal: timeout.signal }).catch(() => {})]);
    timeout.abort();
    return this.#opts.failure() ?? new BackendError('permanent', `the HTTP/2 session has ended: ${(e as Error).message}`, { cause: e });
  }

  #throwIfGone(): void {
    if (!this.#session.closed && !this.#session.destroyed) return;
    throw (
      this.#opts.failure() ??
      new BackendError('permanent', `the HTTP/2 session has ended${this.#sessionError ? `: ${this.#sessionError.message}` : ''}`, { cause: this.#sessionError })
    );
  }

  #setInFlight(delta: number): void {
    const before = this.#inFlight;
    this.#inFlight += delta;
    if (before === 0 && this.#inFlight > 0) this.#opts.onBusy?.(true);
    if (before > 0 && this.#inFlight === 0) this.#opts.onBusy?.(false);
  }
}

/** Chunks kept before the stream is paused: HTTP/2 flow control then holds back the rest. */
const BUFFERED_CHUNKS = 16;

/**
 * A response stream's data, read through its events: Node's async iterator over an HTTP/2
 * stream reports a premature close when the answer had ended before it was read.
 */
async function* chunksOf(stream: http2.ClientHttp2Stream): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let ended = stream.readableEnded;
  let error: Error | undefined = stream.errored ?? undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Uint8Array) => {
    chunks.push(chunk);
    if (chunks.length >= BUFFERED_CHUNKS) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (e: Error) => {
    error ??= e;
    notify();
  };
  const onClose = () => {
    if (!ended) error ??= Object.assign(new Error('the stream closed before the answer ended'), { code: 'ECONNRESET' });
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onError);
  stream.once('close', onClose);
  try {
    for (;;) {
      const chunk = chunks.shift();
      if (chunk) {
        if (chunks.length < BUFFERED_CHUNKS / 2) stream.resume();
        yield chunk;
      } else if (error) {
        throw error;
      } else if (ended) {
        return;
      } else {
        if (stream.destroyed) onClose();
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
    // A reader that stopped early: nobody wants the rest.
    if (!ended) stream.destroy();
  }
}

function withoutPseudoHeaders(headers: http2.IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) out[name] = value;
  return out;
}

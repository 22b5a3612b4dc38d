/**
 * restic's REST protocol (rest-server, `rclone serve restic`), over a pluggable transport:
 * undici with keep-alive connections to a server on the network, or HTTP/2 over rclone's
 * standard input and output for an `rclone:` repository. Files live at `<base>/<dir>/<name>` and `<base>/config`: the server maps
 * `data/<name>` to its `data/<2 hex>/` subdirectories, and lists them all in one answer.
 * Listing asks for protocol v2 (names with sizes); a v1 server answers with names only,
 * and each is then stat'ed, as restic does.
 */
import { DEFAULT_REMOTE_CONNECTIONS } from './remote-connections.ts';
import { BackendError, ChunkvaultError, concatBytes, DIR_OF, ErrorCode, isId, payloadParts, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../engine/index.ts';
import { Readable } from 'node:stream';
import { describeNetworkError, kindOfStatus, statusHint } from './http-status.ts';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';
import { UndiciTransport } from './undici-transport.ts';

const API_V2 = 'application/vnd.x.restic.rest.v2';
/**
 * The most a whole-file read (config, key, index, snapshot, lock: small JSON documents)
 * takes from a server before giving up: an answer without end is cut here, not buffered.
 */
const MAX_WHOLE_FILE_BYTES = 1024 * 1024 * 1024;

export interface RestBackendOptions {
  /** The server URL without credentials: `http(s)://host:port/path/`. */
  url: URL;
  username?: string;
  password?: string;
  /** Parallel connections (and requests). @default DEFAULT_REMOTE_CONNECTIONS */
  connections?: number;
  /** PEM certificates to trust besides the system's, for self-signed TLS. */
  ca?: string | Buffer;
  /** Time allowed to connect. @default 30 s */
  connectTimeoutMs?: number;
  /** Time allowed for the answer's headers, and between two pieces of its body. @default 5 min */
  responseTimeoutMs?: number;
  /**
   * How requests reach the server; `url` then gives only the repository's path. The
   * backend closes it. @default undici connections to `url`
   */
  transport?: HttpTransport;
  /** What logs and errors call the repository. @default `rest:` and the URL, password hidden */
  location?: string;
}

type Response = HttpResponse;

export class RestBackend implements Backend {
  readonly location: string;
  readonly connections: number;
  readonly #transport: HttpTransport;
  /** Path of the repository on the server, ending in '/'. */
  readonly #basePath: string;
  readonly #authorization: string | undefined;

  constructor(opts: RestBackendOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ChunkvaultError(ErrorCode.InvalidInput, `rest:${url.href}: a REST repository URL starts with http:// or https://`);
    }
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.#basePath = url.pathname;
    const shown = new URL(url);
    if (opts.username) shown.username = opts.username;
    if (opts.password) shown.password = '***';
    this.location = opts.location ?? `rest:${shown.href}`;
    this.connections = Math.max(1, opts.connections ?? DEFAULT_REMOTE_CONNECTIONS);
    this.#authorization =
      opts.username !== undefined || opts.password !== undefined
        ? `Basic ${Buffer.from(`${opts.username ?? ''}:${opts.password ?? ''}`).toString('base64')}`
        : undefined;
    this.#transport =
      opts.transport ??
      new UndiciTransport({
        origin: url.origin,
        connections: this.connections,
        ca: opts.ca,
        connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
        responseTimeoutMs: opts.responseTimeoutMs ?? 300_000,
      });
  }

  async create(opts?: CallOptions): Promise<void> {
    const config: Handle = { type: 'config', name: '' };
    const head = await this.#request('create', config, { method: 'HEAD', path: this.#pathOf(config), signal: opts?.signal });
    await this.#drain('create', config, head, opts?.signal);
    if (head.statusCode === 200) {
      throw new BackendError('permanent', `create ${this.location}: a repository already exists here (config found)`);
    }
    if (head.statusCode !== 404) throw this.#statusError('create', config, head.statusCode);
    const res = await this.#request('create', config, { method: 'POST', path: `${this.#basePath}?create=true`, signal: opts?.signal });
    await this.#drain('create', config, res, opts?.signal);
    if (res.statusCode !== 200) throw this.#statusError('create', config, res.statusCode);
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    const parts = payloadParts(data);
    let size = 0;
    for (const p of parts) size += p.byteLength;
    // The parts go out one after another, never joined into one buffer.
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield p;
    }
    const res = await this.#request('save', h, {
      method: 'POST',
      path: this.#pathOf(h),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: Readable.from(body(), { objectMode: false }),
      signal: opts?.signal,
    });
    await this.#drain('save', h, res, opts?.signal);
    if (res.statusCode !== 200) throw this.#statusError('save', h, res.statusCode);
  }

  async load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new BackendError('permanent', `load ${this.#where(h)}: invalid range (offset ${offset}, length ${length})`);
    }
    const headers: Record<string, string> = {};
    const ranged = length > 0 || offset > 0;
    if (ranged) headers.range = length > 0 ? `bytes=${offset}-${offset + length - 1}` : `bytes=${offset}-`;
    const res = await this.#request('load', h, { method: 'GET', path: this.#pathOf(h), headers, signal: opts?.signal });
    if (res.statusCode === 416 && length === 0) {
      // Asking from the end of the file to its end: nothing to read.
      await this.#drain('load', h, res, opts?.signal);
      const size = totalSizeOf(res.headers['content-range']);
      if (size !== undefined && offset >= size) return new Uint8Array(0);
      throw this.#statusError('load', h, 416);
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await this.#drain('load', h, res, opts?.signal);
      throw this.#statusError('load', h, res.statusCode);
    }
    // Never more than asked for: a hostile or broken server's extra bytes are refused, not
    // buffered. A server that ignores Range answers 200 with the whole file: read only its start.
    const ignoredRange = res.statusCode === 200 && ranged;
    const limit = length === 0 ? MAX_WHOLE_FILE_BYTES : ignoredRange ? offset + length : length;
    const body = await this.#readBody('load', h, res, opts?.signal, limit, ignoredRange);
    const content = res.statusCode === 200 && ranged ? body.subarray(offset, length > 0 ? offset + length : undefined) : body;
    if (length > 0 && content.byteLength !== length) {
      throw new BackendError(
        'permanent',
        `load ${this.#where(h)}: the file is shorter than asked for: wanted ${length} bytes at offset ${offset}, got ${content.byteLength}`,
      );
    }
    return content;
  }

  async stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    const res = await this.#request('stat', h, { method: 'HEAD', path: this.#pathOf(h), signal: opts?.signal });
    await this.#drain('stat', h, res, opts?.signal);
    if (res.statusCode !== 200) throw this.#statusError('stat', h, res.statusCode);
    const size = Number(res.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BackendError('permanent', `stat ${this.#where(h)}: the server sent no usable Content-Length`);
    }
    return { name: h.name, size };
  }

  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    if (type === 'config') return;
    const dir: Handle = { type, name: '' };
    const res = await this.#request('list', dir, {
      method: 'GET',
      path: `${this.#basePath}${DIR_OF[type]}/`,
      headers: { accept: API_V2 },
      signal: opts?.signal,
    });
    const text = await this.#readText('list', dir, res, opts?.signal);
    // rest-server answers 404 for a type directory that does not exist: nothing there.
    if (res.statusCode === 404) return;
    if (res.statusCode !== 200) throw this.#statusError('list', dir, res.statusCode);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new BackendError('transient', `list ${this.#whereDir(type)}: the server's answer is not JSON`, { cause: e });
    }
    if (!Array.isArray(parsed)) throw new BackendError('permanent', `list ${this.#whereDir(type)}: the server's answer is not a JSON array`);
    const v2 = headerValue(res.headers['content-type'])?.startsWith(API_V2) ?? false;
    for (const item of parsed as unknown[]) {
      opts?.signal?.throwIfAborted();
      if (v2) {
        const { name, size } = (item ?? {}) as { name?: unknown; size?: unknown };
        if (typeof name !== 'string' || typeof size !== 'number') {
          throw new BackendError('permanent', `list ${this.#whereDir(type)}: unexpected entry ${JSON.stringify(item)}`);
        }
        if (isId(name)) yield { name, size };
      } else if (typeof item === 'string' && isId(item)) {
        // Protocol v1 lists names only.
        yield await this.stat({ type, name: item }, opts);
      }
    }
  }

  async remove(h: Handle, opts?: CallOptions): Promise<void> {
    const res = await this.#request('remove', h, { method: 'DELETE', path: this.#pathOf(h), signal: opts?.signal });
    await this.#drain('remove', h, res, opts?.signal);
    // Removing what is not there is not an error: the file is gone either way.
    if (res.statusCode !== 200 && res.statusCode !== 204 && res.statusCode !== 404) throw this.#statusError('remove', h, res.statusCode);
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  #pathOf(h: Handle): string {
    return h.type === 'config' ? `${this.#basePath}config` : `${this.#basePath}${DIR_OF[h.type]}/${h.name}`;
  }

  async #request(
    op: string,
    h: Handle,
    req: Omit<HttpRequest, 'headers'> & { headers?: Record<string, string> },
  ): Promise<Response> {
    req.signal?.throwIfAborted();
    const headers: Record<string, string> = { accept: API_V2, ...req.headers };
    if (this.#authorization) headers.authorization = this.#authorization;
    try {
      return await this.#transport.request({ ...req, headers });
    } catch (e) {
      throw this.#networkError(op, h, e, req.signal);
    }
  }

  /**
   * The answer's body, at most `limit` bytes: a longer one fails (or, with `stopAtLimit`,
   * is cut there) as soon as it shows, whether it announced its length or not.
   */
  async #readBody(op: string, h: Handle, res: Response, signal: AbortSignal | undefined, limit = MAX_WHOLE_FILE_BYTES, stopAtLimit = false): Promise<Uint8Array> {
    const declared = Number(headerValue(res.headers['content-length']));
    const announced = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
    const tooLong = () => new BackendError('transient', `${op} ${this.#where(h)}: the answer is longer than the ${limit} bytes asked for`);
    try {
      if (announced !== undefined && announced > limit && !stopAtLimit) {
        res.body.destroy();
        throw tooLong();
      }
      // One allocation of the announced size when there is one; undici fails a body of any other length.
      const out = announced === undefined ? undefined : new Uint8Array(Math.min(announced, limit));
      const chunks: Uint8Array[] = [];
      let at = 0;
      for await (const received of res.body) {
        let chunk = received;
        if (at + chunk.byteLength > limit) {
          if (!stopAtLimit) throw tooLong();
          chunk = chunk.subarray(0, limit - at);
        }
        if (out) {
          if (at + chunk.byteLength > out.byteLength) throw new BackendError('transient', `${op} ${this.#where(h)}: the answer is longer than announced`);
          out.set(chunk, at);
        } else {
          chunks.push(chunk);
        }
        at += chunk.byteLength;
        if (stopAtLimit && at === limit) break; // leaving the loop closes the rest of the answer
      }
      if (out && at !== out.byteLength) throw new BackendError('transient', `${op} ${this.#where(h)}: the answer ended after ${at} of ${out.byteLength} bytes`);
      return out ?? concatBytes(chunks);
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw this.#networkError(op, h, e, signal);
    }
  }

  async #readText(op: string, h: Handle, res: Response, signal: AbortSignal | undefined): Promise<string> {
    return Buffer.from(await this.#readBody(op, h, res, signal)).toString('utf8');
  }

  /** Reads and discards a body, so that the connection can serve the next request. */
  async #drain(op: string, h: Handle, res: Response, signal: AbortSignal | undefined): Promise<void> {
    try {
      await res.body.dump();
    } catch (e) {
      throw this.#networkError(op, h, e, signal);
    }
  }

  #networkError(op: string, h: Handle, e: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return new ChunkvaultError(ErrorCode.Aborted, 'operation cancelled', { cause: e });
    // A transport's own verdict (rclone has exited, say) stands as it is.
    const { kind, description } = e instanceof BackendError ? { kind: e.kind, description: e.message } : describeNetworkError(e);
    return new BackendError(kind, `${op} ${h.name === '' && h.type !== 'config' ? this.#whereDir(h.type) : this.#where(h)}: ${description}`, {
      cause: e,
    });
  }

  #statusError(op: string, h: Handle, status: number): BackendError {
    const kind = kindOfStatus(status);
    const where = h.name === '' && h.type !== 'config' ? this.#whereDir(h.type) : this.#where(h);
    if (kind === 'not-found') return new BackendError('not-found', `${op} ${where}: does not exist (HTTP 404)`);
    const hint = statusHint(status);
    return new BackendError(kind, `${op} ${where}: HTTP ${status}${hint ? `: ${hint}` : ''}`);
  }

  /** The file's URL as the server sees it (the server maps `data/<id>` to its subdirectory). */
  #where(h: Handle): string {
    return `${this.#shownBase()}${h.type === 'config' ? 'config' : `${DIR_OF[h.type]}/${h.name}`}`;
  }

  #whereDir(type: FileType): string {
    return `${this.#shownBase()}${DIR_OF[type]}/`;
  }

  /** The location as a directory: `rest:` URLs end in '/' already, an `rclone:` path may not. */
  #shownBase(): string {
    return /[/:]$/.test(this.location) ? this.location : `${this.location}/`;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The `N` of `Content-Range: bytes *\/N`. */
function totalSizeOf(contentRange: string | string[] | undefined): number | undefined {
  const m = /\/(\d+)\s*$/.exec(headerValue(contentRange) ?? '');
  return m ? Number(m[1]) : undefined;
}

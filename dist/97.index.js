export const id = 97;
export const ids = [97,651];
export const modules = {

/***/ 6097:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openRcloneBackend: () => (/* binding */ openRcloneBackend)
});

// UNUSED EXPORTS: DEFAULT_RCLONE_ARGS, DEFAULT_RCLONE_PROGRAM

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./src/engine/index.ts + 137 modules
var engine = __webpack_require__(5414);
// EXTERNAL MODULE: ./src/process/run-shell.ts
var run_shell = __webpack_require__(3379);
// EXTERNAL MODULE: external "node:http2"
var external_node_http2_ = __webpack_require__(2467);
;// CONCATENATED MODULE: ./src/backends/http2-transport.ts
/**
 * HTTP/2 over one duplex stream that is not a socket (rclone's standard input and output):
 * every request is a stream of the one session, at most `maxStreams` at a time. That is
 * the connection limit restic's rclone backend keeps too; there is no second connection
 * to open, so a lost session is lost for good and requests fail for good.
 */



/**
 * Flow-control windows: HTTP/2's default of 64 KiB a stream would make a 16 MiB pack
 * wait for 256 window updates; 4 MiB a stream, 16 MiB in all, bounds what sits unread.
 */
const STREAM_WINDOW_BYTES = 4 << 20;
const SESSION_WINDOW_BYTES = 16 << 20;
/** How long a request that failed with the session waits for the far end's reason. */
const GONE_WAIT_MS = 2_000;
class Http2Transport {
    #session;
    #slots;
    #opts;
    #inFlight = 0;
    #sessionError;
    constructor(opts) {
        this.#opts = opts;
        this.#slots = new engine/* Semaphore */.jf(Math.max(1, opts.maxStreams));
        // The authority is a formality: nothing is resolved or dialled.
        this.#session = external_node_http2_.connect('http://localhost', {
            createConnection: () => opts.connection,
            settings: { initialWindowSize: STREAM_WINDOW_BYTES },
        });
        this.#session.on('error', (e) => {
            this.#sessionError = e;
        });
        this.#session.once('connect', () => this.#session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    }
    async request(req) {
        await this.#slots.acquire();
        this.#setInFlight(+1);
        let released = false;
        const release = () => {
            if (released)
                return;
            released = true;
            this.#setInFlight(-1);
            this.#slots.release();
        };
        try {
            req.signal?.throwIfAborted();
            this.#throwIfGone();
            const stream = this.#session.request({ ':method': req.method, ':path': req.path, ...req.headers }, { endStream: req.body === undefined, ...(req.signal ? { signal: req.signal } : {}) });
            stream.once('close', release);
            // Errors reach the caller through the answer or its body; one that comes after both is no crash.
            stream.on('error', () => { });
            stream.setTimeout(this.#opts.responseTimeoutMs, () => stream.destroy(Object.assign(new Error(`no answer for ${this.#opts.responseTimeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
            if (req.body) {
                req.body.once('error', (e) => stream.destroy(e));
                req.body.pipe(stream);
            }
            const headers = await new Promise((resolve, reject) => {
                stream.once('response', resolve);
                stream.once('error', reject);
                stream.once('close', () => reject(Object.assign(new Error('the stream closed before an answer came'), { code: 'ECONNRESET' })));
            });
            return { statusCode: Number(headers[':status']), headers: withoutPseudoHeaders(headers), body: this.#bodyOf(stream) };
        }
        catch (e) {
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
    destroy() {
        this.#opts.connection.destroy();
    }
    async close() {
        if (this.#session.closed || this.#session.destroyed)
            return;
        // Waits for the streams in flight, then ends the session and its connection.
        await new Promise((resolve) => this.#session.close(resolve));
    }
    #bodyOf(stream) {
        const explain = (e) => this.#explain(e);
        return {
            async *[Symbol.asyncIterator]() {
                try {
                    yield* chunksOf(stream);
                }
                catch (e) {
                    throw await explain(e);
                }
            },
            async dump() {
                try {
                    for await (const _ of chunksOf(stream))
                        ;
                }
                catch (e) {
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
    async #explain(e) {
        const known = this.#opts.failure();
        if (known)
            return known;
        if (!this.#session.closed && !this.#session.destroyed)
            return e;
        const timeout = new AbortController();
        await Promise.race([this.#opts.gone, (0,promises_.setTimeout)(GONE_WAIT_MS, undefined, { signal: timeout.signal }).catch(() => { })]);
        timeout.abort();
        return this.#opts.failure() ?? new engine/* BackendError */.Jh('permanent', `the HTTP/2 session has ended: ${e.message}`, { cause: e });
    }
    #throwIfGone() {
        if (!this.#session.closed && !this.#session.destroyed)
            return;
        throw (this.#opts.failure() ??
            new engine/* BackendError */.Jh('permanent', `the HTTP/2 session has ended${this.#sessionError ? `: ${this.#sessionError.message}` : ''}`, { cause: this.#sessionError }));
    }
    #setInFlight(delta) {
        const before = this.#inFlight;
        this.#inFlight += delta;
        if (before === 0 && this.#inFlight > 0)
            this.#opts.onBusy?.(true);
        if (before > 0 && this.#inFlight === 0)
            this.#opts.onBusy?.(false);
    }
}
/** Chunks kept before the stream is paused: HTTP/2 flow control then holds back the rest. */
const BUFFERED_CHUNKS = 16;
/**
 * A response stream's data, read through its events: Node's async iterator over an HTTP/2
 * stream reports a premature close when the answer had ended before it was read.
 */
async function* chunksOf(stream) {
    const chunks = [];
    let ended = stream.readableEnded;
    let error = stream.errored ?? undefined;
    let wake;
    const notify = () => {
        wake?.();
        wake = undefined;
    };
    const onData = (chunk) => {
        chunks.push(chunk);
        if (chunks.length >= BUFFERED_CHUNKS)
            stream.pause();
        notify();
    };
    const onEnd = () => {
        ended = true;
        notify();
    };
    const onError = (e) => {
        error ??= e;
        notify();
    };
    const onClose = () => {
        if (!ended)
            error ??= Object.assign(new Error('the stream closed before the answer ended'), { code: 'ECONNRESET' });
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
                if (chunks.length < BUFFERED_CHUNKS / 2)
                    stream.resume();
                yield chunk;
            }
            else if (error) {
                throw error;
            }
            else if (ended) {
                return;
            }
            else {
                if (stream.destroyed)
                    onClose();
                else
                    await new Promise((resolve) => (wake = resolve));
            }
        }
    }
    finally {
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onClose);
        // A reader that stopped early: nobody wants the rest.
        if (!ended)
            stream.destroy();
    }
}
function withoutPseudoHeaders(headers) {
    const out = {};
    for (const [name, value] of Object.entries(headers))
        if (!name.startsWith(':'))
            out[name] = value;
    return out;
}

// EXTERNAL MODULE: ./src/backends/rest.ts + 2 modules
var rest = __webpack_require__(4651);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: ./src/process/process-group.ts
var process_group = __webpack_require__(426);
;// CONCATENATED MODULE: ./src/backends/rclone/rclone-process.ts
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





/** How long rclone gets to exit after the end of its input, then after SIGTERM. */
const EXIT_GRACE_MS = 5_000;
/** How long after rclone's exit its pipes may take to close. */
const PIPES_GRACE_MS = 1_000;
class RcloneProcess {
    /** rclone's standard output (to read) and input (to write), as one stream. */
    connection;
    /** Settles when the process has exited, or could not start. */
    exited;
    /** Resolves once the process runs; rejects with why it could not start (rclone not installed). */
    started;
    #child;
    #program;
    #stderr;
    #failure;
    #closing = false;
    #killAtExit = () => this.#signal('SIGTERM');
    constructor(opts) {
        this.#program = opts.program;
        const mask = (line) => (opts.secrets ?? []).reduce((text, secret) => text.split(secret).join('***'), line);
        this.#stderr = new process_group/* LineTail */.Zw(5, (line) => opts.onLine?.(`rclone: ${mask(line)}`));
        this.#child = (0,external_node_child_process_.spawn)(opts.program, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
        const { stdin, stdout, stderr } = this.#child;
        stderr.setEncoding('utf8');
        stderr.on('data', (text) => this.#stderr.push(text));
        // Write errors after rclone exited (EPIPE) surface as its exit, not as a crash.
        stdin.on('error', () => { });
        this.connection = external_node_stream_.Duplex.from({ readable: stdout, writable: stdin });
        this.connection.on('error', () => { });
        this.exited = new Promise((resolve) => {
            this.#child.once('error', (e) => {
                this.#failure ??= new engine/* BackendError */.Jh('permanent', this.#startFailure(e), { cause: e });
                process.off('exit', this.#killAtExit);
                resolve();
            });
            const ended = (code, signal) => {
                process.off('exit', this.#killAtExit);
                if (this.#failure)
                    return resolve();
                this.#stderr.end();
                const last = this.#stderr.lines.map(mask).map(withoutTimestamp).filter(isWorthReporting).at(-1);
                const how = code !== null ? `with code ${code}` : `on ${signal}`;
                this.#failure = new engine/* BackendError */.Jh('permanent', `rclone exited ${how}${last ? `: ${last}` : ''}`);
                resolve();
            };
            // 'close' comes once its last words on standard error are read; unless something it
            // started holds the pipes open, so 'exit' does too, a moment later.
            this.#child.once('close', ended);
            this.#child.once('exit', (code, signal) => setTimeout(() => ended(code, signal), PIPES_GRACE_MS).unref());
        });
        this.started = new Promise((resolve, reject) => {
            this.#child.once('spawn', resolve);
            void this.exited.then(() => reject(this.#failure));
        });
        // Not awaited by whoever only needs `exited`.
        this.started.catch(() => { });
        process.on('exit', this.#killAtExit);
        this.setBusy(false);
        stderr.unref?.();
    }
    /** Why rclone is gone, once it is; undefined while it runs (and after a `close` we asked for). */
    failure() {
        if (this.#closing && this.#failure)
            return new engine/* BackendError */.Jh('permanent', 'the rclone backend is closed');
        return this.#failure;
    }
    /** Lets rclone's pipes keep our process alive while `busy`, and not otherwise. */
    setBusy(busy) {
        const pipes = [this.#child.stdin, this.#child.stdout];
        for (const pipe of pipes) {
            if (busy)
                pipe?.ref?.();
            else
                pipe?.unref?.();
        }
        if (busy)
            this.#child.ref();
        else
            this.#child.unref();
    }
    /** Ends rclone's input, which tells it to exit; SIGTERM, then SIGKILL, if it does not. */
    async close() {
        this.#closing = true;
        this.setBusy(true);
        try {
            this.connection.end();
            if (await this.#exitsWithin(EXIT_GRACE_MS))
                return;
            this.#signal('SIGTERM');
            if (await this.#exitsWithin(EXIT_GRACE_MS))
                return;
            this.#signal('SIGKILL');
            await this.exited;
        }
        finally {
            this.connection.destroy();
            this.setBusy(false);
        }
    }
    async #exitsWithin(ms) {
        const timeout = new AbortController();
        const exited = await Promise.race([this.exited.then(() => true), (0,promises_.setTimeout)(ms, false, { signal: timeout.signal }).catch(() => false)]);
        timeout.abort();
        return exited;
    }
    #signal(sig) {
        if (this.#child.exitCode !== null || this.#child.signalCode !== null)
            return;
        try {
            this.#child.kill(sig);
        }
        catch {
            // gone already
        }
    }
    #startFailure(e) {
        if (e.code === 'ENOENT') {
            return `cannot run rclone: '${this.#program}' was not found; install rclone (https://rclone.org/install/, or apt-get install rclone) and put it on the PATH`;
        }
        return `cannot run rclone ('${this.#program}'): ${e.message}`;
    }
}
/** rclone's log lines start with a date and time, which an error message does not need. */
function withoutTimestamp(line) {
    return line.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, '').trim();
}
/** What may say why rclone exited: its errors and fatal lines, not its notices ("Config file … not found"). */
function isWorthReporting(line) {
    return line !== '' && !/^(NOTICE|INFO|DEBUG)\s*:/.test(line);
}

;// CONCATENATED MODULE: ./src/backends/rclone/rclone-backend.ts
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







/** restic's defaults: `--b2-hard-delete` so that a removed file is gone, not hidden (and billed) in B2. */
const DEFAULT_RCLONE_PROGRAM = 'rclone';
const DEFAULT_RCLONE_ARGS = ['serve', 'restic', '--stdio', '--b2-hard-delete'];
/** How long rclone may take to answer its first request (restic's rclone.timeout). */
const START_TIMEOUT_MS = 60_000;
/** How long a broken first request waits for rclone's exit, to report why it exited. */
const EXIT_NOTICE_MS = 2_000;
/** Starts rclone and waits until it answers, or fails with why it did not (not installed, a bad remote). */
async function openRcloneBackend(location, opts) {
    const rclone = new RcloneProcess({
        program: opts.program ?? DEFAULT_RCLONE_PROGRAM,
        args: [...(opts.args ?? DEFAULT_RCLONE_ARGS), location.remote],
        env: (0,run_shell/* commandEnvironment */.J)(opts.env, {}),
        cwd: location.cwd,
        onLine: opts.onLog,
        secrets: location.secrets,
    });
    try {
        await rclone.started;
    }
    catch (e) {
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
    const transport = {
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
    }
    catch (e) {
        await transport.close();
        throw e;
    }
    return new rest.RestBackend({ url: new URL('http://localhost/'), transport, connections: opts.connections, location: location.display });
}
/** Asks for a file that does not exist, as restic does: any answer means rclone serves. */
async function untilServing(transport, rclone) {
    const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
    try {
        const res = await Promise.race([
            transport.request({ method: 'HEAD', path: `/file-${(0,external_node_crypto_.randomBytes)(8).toString('hex')}`, headers: {}, signal: timeout }),
            rclone.exited.then(() => Promise.reject(rclone.failure())),
        ]);
        await res.body.dump();
    }
    catch (e) {
        // A connection that broke is most likely rclone exiting: its reason says more.
        await Promise.race([rclone.exited, (0,promises_.setTimeout)(EXIT_NOTICE_MS)]);
        const failure = rclone.failure();
        if (failure)
            throw failure;
        if (timeout.aborted) {
            throw new engine/* BackendError */.Jh('permanent', `rclone did not answer within ${START_TIMEOUT_MS / 1000} s: is the remote reachable? (RCLONE_VERBOSE=1 shows what it does)`);
        }
        throw new engine/* ChunkvaultError */.Ge(engine/* ErrorCode */.O4.Backend, `cannot talk HTTP to rclone: ${e.message}`, { cause: e });
    }
}


/***/ }),

/***/ 4651:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  RestBackend: () => (/* binding */ RestBackend)
});

// EXTERNAL MODULE: ./src/backends/remote-connections.ts
var remote_connections = __webpack_require__(9619);
// EXTERNAL MODULE: ./src/engine/index.ts + 137 modules
var engine = __webpack_require__(5414);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
;// CONCATENATED MODULE: ./src/backends/http-status.ts
/** 5xx, 408 and 429 are worth retrying; other 4xx are not, nor 501, 505 and 507, which will not get better soon; 401 and 403 are refusals. */
function kindOfStatus(status) {
    if (status === 404)
        return 'not-found';
    if (status === 401 || status === 403)
        return 'denied';
    if (status === 408 || status === 429)
        return 'transient';
    if (status >= 500 && status !== 501 && status !== 505 && status !== 507)
        return 'transient';
    return 'permanent';
}
/** The likely cause of a failed request, or '' when the status says it all. */
function statusHint(status) {
    switch (status) {
        case 400:
            return 'the server rejected the request (a REST server also answers 400 when the content does not match its name)';
        case 401:
            return 'authentication failed: check the user name and password (in the repository URL, or RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD)';
        case 403:
            return 'access denied: check the credentials and the permissions on the server (an append-only server also refuses deletes and overwrites)';
        case 405:
            return 'the server does not allow this method: is the URL a restic REST server?';
        case 408:
        case 504:
            return 'the request timed out';
        case 413:
            return 'the server or a proxy in front of it refuses uploads this large';
        case 416:
            return 'the range asked for lies beyond the end of the file';
        case 429:
            return 'the server is throttling requests (too many at once): lower the concurrency';
        case 507:
            return 'the server is out of storage space';
        default:
            if (status >= 300 && status < 400)
                return 'the server redirects: use the URL it redirects to';
            if (status >= 500)
                return 'a server-side failure';
            return '';
    }
}
const TLS_CODES = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/**
 * Classifies an error thrown by the HTTP client before or while a response arrived.
 * Everything but an untrusted certificate and an unknown host counts as transient, as
 * restic retries every network failure: the retry decorator's bounds keep it finite.
 */
function describeNetworkError(e) {
    const code = errorCode(e);
    const message = e instanceof Error ? e.message : String(e);
    const text = code && !message.includes(code) ? `${code}: ${message}` : message;
    if (code && TLS_CODES.has(code)) {
        return {
            kind: 'permanent',
            description: `${text}: the server's TLS certificate is not trusted; for a self-signed certificate, pass its CA file (ca-file / --cacert)`,
        };
    }
    if (code === 'ENOTFOUND')
        return { kind: 'permanent', description: `${text}: the host name does not resolve; check the URL` };
    // Requests on a closed backend: a bug of ours, which no retry mends.
    if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED')
        return { kind: 'permanent', description: `${text} (the backend was closed)` };
    // undici's names for its timeouts say little on their own: say what the server did.
    if (code === 'UND_ERR_BODY_TIMEOUT')
        return { kind: 'transient', description: `${text}: the server stopped sending in the middle of the answer` };
    if (code === 'UND_ERR_HEADERS_TIMEOUT')
        return { kind: 'transient', description: `${text}: the server accepted the request but did not answer in time` };
    // Resets, refused connections, connect timeouts, truncated bodies.
    return { kind: 'transient', description: text };
}
/** `code` of an error or of its cause (undici wraps socket errors). */
function errorCode(e) {
    for (let cur = e, depth = 0; cur && depth < 4; depth++) {
        const code = cur.code;
        if (typeof code === 'string')
            return code;
        cur = cur.cause;
    }
    return undefined;
}

// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(6752);
;// CONCATENATED MODULE: ./src/backends/undici-transport.ts
/**
 * The HTTP transport for a REST server on the network: an undici pool of keep-alive
 * connections, one request in flight per connection.
 */

class UndiciTransport {
    #pool;
    constructor(opts) {
        this.#pool = new undici/* Pool */.bC(opts.origin, {
            connections: opts.connections,
            keepAliveTimeout: 30_000,
            headersTimeout: opts.responseTimeoutMs,
            bodyTimeout: opts.responseTimeoutMs,
            connect: { timeout: opts.connectTimeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) },
        });
    }
    async request(req) {
        const res = await this.#pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body, signal: req.signal });
        return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    }
    async close() {
        await this.#pool.close();
    }
}

;// CONCATENATED MODULE: ./src/backends/rest.ts
/**
 * restic's REST protocol (rest-server, `rclone serve restic`), over a pluggable transport:
 * undici with keep-alive connections to a server on the network, or HTTP/2 over rclone's
 * standard input and output for an `rclone:` repository. Files live at `<base>/<dir>/<name>` and `<base>/config`: the server maps
 * `data/<name>` to its `data/<2 hex>/` subdirectories, and lists them all in one answer.
 * Listing asks for protocol v2 (names with sizes); a v1 server answers with names only,
 * and each is then stat'ed, as restic does.
 */





const API_V2 = 'application/vnd.x.restic.rest.v2';
/**
 * The most a whole-file read (config, key, index, snapshot, lock: small JSON documents)
 * takes from a server before giving up: an answer without end is cut here, not buffered.
 */
const MAX_WHOLE_FILE_BYTES = 1024 * 1024 * 1024;
class RestBackend {
    location;
    connections;
    #transport;
    /** Path of the repository on the server, ending in '/'. */
    #basePath;
    #authorization;
    constructor(opts) {
        const url = new URL(opts.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
            throw new engine/* ChunkvaultError */.Ge(engine/* ErrorCode */.O4.InvalidInput, `rest:${url.href}: a REST repository URL starts with http:// or https://`);
        }
        url.username = '';
        url.password = '';
        url.search = '';
        url.hash = '';
        if (!url.pathname.endsWith('/'))
            url.pathname += '/';
        this.#basePath = url.pathname;
        const shown = new URL(url);
        if (opts.username)
            shown.username = opts.username;
        if (opts.password)
            shown.password = '***';
        this.location = opts.location ?? `rest:${shown.href}`;
        this.connections = Math.max(1, opts.connections ?? remote_connections/* DEFAULT_REMOTE_CONNECTIONS */.t);
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
    async create(opts) {
        const config = { type: 'config', name: '' };
        const head = await this.#request('create', config, { method: 'HEAD', path: this.#pathOf(config), signal: opts?.signal });
        await this.#drain('create', config, head, opts?.signal);
        if (head.statusCode === 200) {
            throw new engine/* BackendError */.Jh('permanent', `create ${this.location}: a repository already exists here (config found)`);
        }
        if (head.statusCode !== 404)
            throw this.#statusError('create', config, head.statusCode);
        const res = await this.#request('create', config, { method: 'POST', path: `${this.#basePath}?create=true`, signal: opts?.signal });
        await this.#drain('create', config, res, opts?.signal);
        if (res.statusCode !== 200)
            throw this.#statusError('create', config, res.statusCode);
    }
    async save(h, data, opts) {
        const parts = (0,engine/* payloadParts */.H1)(data);
        let size = 0;
        for (const p of parts)
            size += p.byteLength;
        // The parts go out one after another, never joined into one buffer.
        async function* body() {
            for (const p of parts)
                yield p;
        }
        const res = await this.#request('save', h, {
            method: 'POST',
            path: this.#pathOf(h),
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
            body: external_node_stream_.Readable.from(body(), { objectMode: false }),
            signal: opts?.signal,
        });
        await this.#drain('save', h, res, opts?.signal);
        if (res.statusCode !== 200)
            throw this.#statusError('save', h, res.statusCode);
    }
    async load(h, length = 0, offset = 0, opts) {
        if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
            throw new engine/* BackendError */.Jh('permanent', `load ${this.#where(h)}: invalid range (offset ${offset}, length ${length})`);
        }
        const headers = {};
        const ranged = length > 0 || offset > 0;
        if (ranged)
            headers.range = length > 0 ? `bytes=${offset}-${offset + length - 1}` : `bytes=${offset}-`;
        const res = await this.#request('load', h, { method: 'GET', path: this.#pathOf(h), headers, signal: opts?.signal });
        if (res.statusCode === 416 && length === 0) {
            // Asking from the end of the file to its end: nothing to read.
            await this.#drain('load', h, res, opts?.signal);
            const size = totalSizeOf(res.headers['content-range']);
            if (size !== undefined && offset >= size)
                return new Uint8Array(0);
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
            throw new engine/* BackendError */.Jh('permanent', `load ${this.#where(h)}: the file is shorter than asked for: wanted ${length} bytes at offset ${offset}, got ${content.byteLength}`);
        }
        return content;
    }
    async stat(h, opts) {
        const res = await this.#request('stat', h, { method: 'HEAD', path: this.#pathOf(h), signal: opts?.signal });
        await this.#drain('stat', h, res, opts?.signal);
        if (res.statusCode !== 200)
            throw this.#statusError('stat', h, res.statusCode);
        const size = Number(res.headers['content-length']);
        if (!Number.isSafeInteger(size) || size < 0) {
            throw new engine/* BackendError */.Jh('permanent', `stat ${this.#where(h)}: the server sent no usable Content-Length`);
        }
        return { name: h.name, size };
    }
    async *list(type, opts) {
        if (type === 'config')
            return;
        const dir = { type, name: '' };
        const res = await this.#request('list', dir, {
            method: 'GET',
            path: `${this.#basePath}${engine/* DIR_OF */.QZ[type]}/`,
            headers: { accept: API_V2 },
            signal: opts?.signal,
        });
        const text = await this.#readText('list', dir, res, opts?.signal);
        // rest-server answers 404 for a type directory that does not exist: nothing there.
        if (res.statusCode === 404)
            return;
        if (res.statusCode !== 200)
            throw this.#statusError('list', dir, res.statusCode);
        let parsed;
        try {
            parsed = JSON.parse(text);
        }
        catch (e) {
            throw new engine/* BackendError */.Jh('transient', `list ${this.#whereDir(type)}: the server's answer is not JSON`, { cause: e });
        }
        if (!Array.isArray(parsed))
            throw new engine/* BackendError */.Jh('permanent', `list ${this.#whereDir(type)}: the server's answer is not a JSON array`);
        const v2 = headerValue(res.headers['content-type'])?.startsWith(API_V2) ?? false;
        for (const item of parsed) {
            opts?.signal?.throwIfAborted();
            if (v2) {
                const { name, size } = (item ?? {});
                if (typeof name !== 'string' || typeof size !== 'number') {
                    throw new engine/* BackendError */.Jh('permanent', `list ${this.#whereDir(type)}: unexpected entry ${JSON.stringify(item)}`);
                }
                if ((0,engine/* isId */.eQ)(name))
                    yield { name, size };
            }
            else if (typeof item === 'string' && (0,engine/* isId */.eQ)(item)) {
                // Protocol v1 lists names only.
                yield await this.stat({ type, name: item }, opts);
            }
        }
    }
    async remove(h, opts) {
        const res = await this.#request('remove', h, { method: 'DELETE', path: this.#pathOf(h), signal: opts?.signal });
        await this.#drain('remove', h, res, opts?.signal);
        // Removing what is not there is not an error: the file is gone either way.
        if (res.statusCode !== 200 && res.statusCode !== 204 && res.statusCode !== 404)
            throw this.#statusError('remove', h, res.statusCode);
    }
    async close() {
        await this.#transport.close();
    }
    #pathOf(h) {
        return h.type === 'config' ? `${this.#basePath}config` : `${this.#basePath}${engine/* DIR_OF */.QZ[h.type]}/${h.name}`;
    }
    async #request(op, h, req) {
        req.signal?.throwIfAborted();
        const headers = { accept: API_V2, ...req.headers };
        if (this.#authorization)
            headers.authorization = this.#authorization;
        try {
            return await this.#transport.request({ ...req, headers });
        }
        catch (e) {
            throw this.#networkError(op, h, e, req.signal);
        }
    }
    /**
     * The answer's body, at most `limit` bytes: a longer one fails (or, with `stopAtLimit`,
     * is cut there) as soon as it shows, whether it announced its length or not.
     */
    async #readBody(op, h, res, signal, limit = MAX_WHOLE_FILE_BYTES, stopAtLimit = false) {
        const declared = Number(headerValue(res.headers['content-length']));
        const announced = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
        const tooLong = () => new engine/* BackendError */.Jh('transient', `${op} ${this.#where(h)}: the answer is longer than the ${limit} bytes asked for`);
        try {
            if (announced !== undefined && announced > limit && !stopAtLimit) {
                res.body.destroy();
                throw tooLong();
            }
            // One allocation of the announced size when there is one; undici fails a body of any other length.
            const out = announced === undefined ? undefined : new Uint8Array(Math.min(announced, limit));
            const chunks = [];
            let at = 0;
            for await (const received of res.body) {
                let chunk = received;
                if (at + chunk.byteLength > limit) {
                    if (!stopAtLimit)
                        throw tooLong();
                    chunk = chunk.subarray(0, limit - at);
                }
                if (out) {
                    if (at + chunk.byteLength > out.byteLength)
                        throw new engine/* BackendError */.Jh('transient', `${op} ${this.#where(h)}: the answer is longer than announced`);
                    out.set(chunk, at);
                }
                else {
                    chunks.push(chunk);
                }
                at += chunk.byteLength;
                if (stopAtLimit && at === limit)
                    break; // leaving the loop closes the rest of the answer
            }
            if (out && at !== out.byteLength)
                throw new engine/* BackendError */.Jh('transient', `${op} ${this.#where(h)}: the answer ended after ${at} of ${out.byteLength} bytes`);
            return out ?? (0,engine/* concatBytes */.Id)(chunks);
        }
        catch (e) {
            if (e instanceof engine/* BackendError */.Jh)
                throw e;
            throw this.#networkError(op, h, e, signal);
        }
    }
    async #readText(op, h, res, signal) {
        return Buffer.from(await this.#readBody(op, h, res, signal)).toString('utf8');
    }
    /** Reads and discards a body, so that the connection can serve the next request. */
    async #drain(op, h, res, signal) {
        try {
            await res.body.dump();
        }
        catch (e) {
            throw this.#networkError(op, h, e, signal);
        }
    }
    #networkError(op, h, e, signal) {
        if (signal?.aborted)
            return new engine/* ChunkvaultError */.Ge(engine/* ErrorCode */.O4.Aborted, 'operation cancelled', { cause: e });
        // A transport's own verdict (rclone has exited, say) stands as it is.
        const { kind, description } = e instanceof engine/* BackendError */.Jh ? { kind: e.kind, description: e.message } : describeNetworkError(e);
        return new engine/* BackendError */.Jh(kind, `${op} ${h.name === '' && h.type !== 'config' ? this.#whereDir(h.type) : this.#where(h)}: ${description}`, {
            cause: e,
        });
    }
    #statusError(op, h, status) {
        const kind = kindOfStatus(status);
        const where = h.name === '' && h.type !== 'config' ? this.#whereDir(h.type) : this.#where(h);
        if (kind === 'not-found')
            return new engine/* BackendError */.Jh('not-found', `${op} ${where}: does not exist (HTTP 404)`);
        const hint = statusHint(status);
        return new engine/* BackendError */.Jh(kind, `${op} ${where}: HTTP ${status}${hint ? `: ${hint}` : ''}`);
    }
    /** The file's URL as the server sees it (the server maps `data/<id>` to its subdirectory). */
    #where(h) {
        return `${this.#shownBase()}${h.type === 'config' ? 'config' : `${engine/* DIR_OF */.QZ[h.type]}/${h.name}`}`;
    }
    #whereDir(type) {
        return `${this.#shownBase()}${engine/* DIR_OF */.QZ[type]}/`;
    }
    /** The location as a directory: `rest:` URLs end in '/' already, an `rclone:` path may not. */
    #shownBase() {
        return /[/:]$/.test(this.location) ? this.location : `${this.location}/`;
    }
}
function headerValue(v) {
    return Array.isArray(v) ? v[0] : v;
}
/** The `N` of `Content-Range: bytes *\/N`. */
function totalSizeOf(contentRange) {
    const m = /\/(\d+)\s*$/.exec(headerValue(contentRange) ?? '');
    return m ? Number(m[1]) : undefined;
}


/***/ })

};

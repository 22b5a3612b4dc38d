/**
 * A small restic REST server on node:http, keeping files in memory, that fails on
 * request: a status (503, 429, 403 ...), a connection reset before or during the answer,
 * or a delay. For testing retries and error classification against real HTTP, where
 * rclone cannot be made to fail on cue. It can also answer a GET as a hostile server
 * would (see BodyFault): short, too long, without end, trickling, or with another file.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { status: number }
  | { reset: 'before-response' | 'mid-body' }
  | { delayMs: number }
  | { body: BodyFault };

/** What a hostile server does to the body of a GET it answers (status and range as usual). */
export type BodyFault =
  /** Only the first `keep` bytes, announced honestly as the whole answer. */
  | { kind: 'truncate'; keep: number }
  /** The full length announced, `keep` bytes sent, then the connection closed. */
  | { kind: 'cut-off'; keep: number }
  /** `extra` junk bytes after the real ones; announced in Content-Length or sent chunked without one. */
  | { kind: 'oversized'; extra: number; announced: boolean }
  /** Content-Length `announce` (a huge one, say), then the real bytes, then the connection closed. */
  | { kind: 'lying-length'; announce: number }
  /** The real bytes, then junk without end, chunked, as fast as the client takes it. */
  | { kind: 'endless' }
  /** `bytesPerTick` bytes every `tickMs`, stalling for good after `stallAfter` bytes. */
  | { kind: 'drip'; bytesPerTick: number; tickMs: number; stallAfter: number }
  /** The bytes of the file at path `other` instead of the requested one. */
  | { kind: 'substitute'; other: string };

export interface BodyFaultStats {
  /** Bytes the server wrote in answers with a body fault (endless or oversized ones). */
  junkBytesSent: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** Request body bytes received (POST). */
  bodyBytes: number;
  /** What the server did: 'ok', a status, 'reset', 'delayed'. */
  outcome: string;
  authorization?: string;
  range?: string;
}

export interface FaultServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  files: Map<string, Buffer>;
  requests: RequestRecord[];
  /** Faults consumed in order by requests that match `when` (all requests by default). */
  inject(faults: Fault[], when?: (method: string, path: string) => boolean): void;
  /** Drops the faults not consumed yet. */
  clearFaults(): void;
  /** Answer list requests in protocol v1 (names only). */
  listV1: boolean;
  /** Ignore Range headers and always answer 200 with the whole file. */
  ignoreRange: boolean;
  bodyFaults: BodyFaultStats;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const files = new Map<string, Buffer>();
  const requests: RequestRecord[] = [];
  let queue: { fault: Fault; when: (m: string, p: string) => boolean }[] = [];
  const state = { listV1: false, ignoreRange: false };
  const bodyFaults: BodyFaultStats = { junkBytesSent: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const record: RequestRecord = {
      method,
      path,
      bodyBytes: body.byteLength,
      outcome: 'ok',
      authorization: req.headers.authorization,
      range: req.headers.range,
    };
    requests.push(record);
    const at = queue.findIndex((q) => q.when(method, path));
    const fault = at >= 0 ? queue.splice(at, 1)[0]!.fault : undefined;
    if (fault && 'reset' in fault) {
      record.outcome = 'reset';
      if (fault.reset === 'before-response') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000, 7), () => req.socket.destroy());
      return;
    }
    if (fault && 'delayMs' in fault) {
      record.outcome = 'delayed';
      await new Promise((r) => setTimeout(r, fault.delayMs));
    }
    if (fault && 'status' in fault) {
      record.outcome = String(fault.status);
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(http.STATUS_CODES[fault.status] ?? 'error');
      return;
    }
    if (fault && 'body' in fault) record.outcome = fault.body.kind;
    serve(method, path, url, req, res, body, fault && 'body' in fault ? fault.body : undefined);
  });

  /** Sends `content` with `status` and `headers` as the body fault says (plainly without one). */
  function send(res: http.ServerResponse, status: number, headers: Record<string, string>, content: Buffer, fault: BodyFault | undefined): void {
    if (!fault || fault.kind === 'substitute') return void res.writeHead(status, { ...headers, 'content-length': String(content.byteLength) }).end(content);
    switch (fault.kind) {
      case 'truncate': {
        const kept = content.subarray(0, fault.keep);
        return void res.writeHead(status, { ...headers, 'content-length': String(kept.byteLength) }).end(kept);
      }
      case 'cut-off':
        res.writeHead(status, { ...headers, 'content-length': String(content.byteLength) });
        return void res.write(content.subarray(0, fault.keep), () => res.socket?.destroy());
      case 'oversized': {
        const junk = Buffer.alloc(fault.extra, 0x5a);
        bodyFaults.junkBytesSent += junk.byteLength;
        const announced = fault.announced ? { 'content-length': String(content.byteLength + junk.byteLength) } : {};
        return void res.writeHead(status, { ...headers, ...announced }).end(Buffer.concat([content, junk]));
      }
      case 'lying-length':
        res.writeHead(status, { ...headers, 'content-length': String(fault.announce) });
        return void res.write(content, () => res.socket?.destroy());
      case 'endless': {
        res.writeHead(status, headers);
        res.write(content);
        const junk = Buffer.alloc(64 * 1024, 0x5a);
        // Write whenever the socket drains, until the client gives up and closes it.
        const more = () => {
          while (!res.destroyed && !res.writableEnded) {
            bodyFaults.junkBytesSent += junk.byteLength;
            if (!res.write(junk)) return void res.once('drain', more);
          }
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return more();
      }
      case 'drip': {
        res.writeHead(status, { ...headers, 'content-length': String(content.byteLength) });
        let at = 0;
        const timer = setInterval(() => {
          if (res.destroyed || at >= Math.min(fault.stallAfter, content.byteLength)) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          res.write(content.subarray(at, at + fault.bytesPerTick));
          at += fault.bytesPerTick;
        }, fault.tickMs);
        timers.add(timer);
        return;
      }
    }
  }

  function serve(
    method: string,
    path: string,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
    bodyFault?: BodyFault,
  ): void {
    if (method === 'POST' && url.searchParams.get('create') === 'true') return void res.writeHead(200).end();
    if (method === 'GET' && path.endsWith('/')) {
      const prefix = path;
      const entries = [...files.entries()].filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
      const names = entries.map(([k, v]) => ({ name: k.slice(prefix.length), size: v.byteLength }));
      if (state.listV1) {
        return void res.writeHead(200, { 'content-type': 'application/vnd.x.restic.rest.v1' }).end(JSON.stringify(names.map((n) => n.name)));
      }
      return void res.writeHead(200, { 'content-type': 'application/vnd.x.restic.rest.v2' }).end(JSON.stringify(names));
    }
    const content = files.get(bodyFault?.kind === 'substitute' ? bodyFault.other : path);
    switch (method) {
      case 'HEAD':
        if (!content) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-length': String(content.byteLength) }).end();
      case 'GET': {
        if (!content) return void res.writeHead(404).end('Not Found');
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (!m || state.ignoreRange) return send(res, 200, {}, content, bodyFault);
        const start = Number(m[1]);
        const end = m[2] ? Math.min(Number(m[2]), content.byteLength - 1) : content.byteLength - 1;
        if (start >= content.byteLength) return void res.writeHead(416, { 'content-range': `bytes */${content.byteLength}` }).end();
        const piece = content.subarray(start, end + 1);
        return send(res, 206, { 'content-range': `bytes ${start}-${end}/${content.byteLength}` }, piece, bodyFault);
      }
      case 'POST':
        files.set(path, body);
        return void res.writeHead(200).end();
      case 'DELETE':
        if (!content) return void res.writeHead(404).end();
        files.delete(path);
        return void res.writeHead(200).end();
      default:
        res.writeHead(405).end();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: FaultServer = {
    url: `http://127.0.0.1:${port}/`,
    files,
    requests,
    inject(faults, when = () => true) {
      queue.push(...faults.map((fault) => ({ fault, when })));
    },
    clearFaults() {
      queue = [];
    },
    get listV1() {
      return state.listV1;
    },
    set listV1(v: boolean) {
      state.listV1 = v;
    },
    get ignoreRange() {
      return state.ignoreRange;
    },
    set ignoreRange(v: boolean) {
      state.ignoreRange = v;
    },
    bodyFaults,
    close: () =>
      new Promise<void>((resolve) => {
        queue = [];
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

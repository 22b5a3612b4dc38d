/**
 * A small restic REST server on node:http, keeping files in memory, that fails on
 * request: a status (503, 429, 403 ...), a connection reset before or during the answer,
 * or a delay. For testing retries and error classification against real HTTP, where
 * rclone cannot be made to fail on cue.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { status: number }
  | { reset: 'before-response' | 'mid-body' }
  | { delayMs: number };

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
  /** Answer list requests in protocol v1 (names only). */
  listV1: boolean;
  /** Ignore Range headers and always answer 200 with the whole file. */
  ignoreRange: boolean;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const files = new Map<string, Buffer>();
  const requests: RequestRecord[] = [];
  let queue: { fault: Fault; when: (m: string, p: string) => boolean }[] = [];
  const state = { listV1: false, ignoreRange: false };

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
    serve(method, path, url, req, res, body);
  });

  function serve(method: string, path: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
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
    const content = files.get(path);
    switch (method) {
      case 'HEAD':
        if (!content) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-length': String(content.byteLength) }).end();
      case 'GET': {
        if (!content) return void res.writeHead(404).end('Not Found');
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (!m || state.ignoreRange) return void res.writeHead(200, { 'content-length': String(content.byteLength) }).end(content);
        const start = Number(m[1]);
        const end = m[2] ? Math.min(Number(m[2]), content.byteLength - 1) : content.byteLength - 1;
        if (start >= content.byteLength) return void res.writeHead(416, { 'content-range': `bytes */${content.byteLength}` }).end();
        const piece = content.subarray(start, end + 1);
        return void res
          .writeHead(206, { 'content-length': String(piece.byteLength), 'content-range': `bytes ${start}-${end}/${content.byteLength}` })
          .end(piece);
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
    close: () =>
      new Promise<void>((resolve) => {
        queue = [];
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

/**
 * An HTTP proxy on loopback in front of a real server (rclone's REST server) that fails a
 * share of the requests, chosen by a seeded random number, taking turns among the faults: a
 * 500, a 503, a connection reset before the answer, or an answer held back for a while. Everything else goes
 * through unchanged, so what lands on the server is what the client really sent. It can
 * also refuse chosen requests with 403, as a server does for credentials that may only read.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/engine/support/seeded-random.ts';

export type InjectedFault = '500' | '503' | 'reset' | 'slow';
const FAULTS: readonly InjectedFault[] = ['500', '503', 'reset', 'slow'];

export interface FlakyProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Requests seen, and faults injected by kind. */
  readonly stats: { requests: number; faults: Record<InjectedFault, number> };
  close(): Promise<void>;
}

export interface FlakyProxyOptions {
  /** Share of requests that fail, 0 to 1. */
  failureRate: number;
  seed: number;
  /** How long a slow answer is held back. @default 1500 */
  slowMs?: number;
  /** Requests answered 403 whatever else happens: a server whose credentials may not write, say. */
  refuse?: (method: string, path: string) => boolean;
}

export async function startFlakyProxy(upstream: string, opts: FlakyProxyOptions): Promise<FlakyProxy> {
  const target = new URL(upstream);
  const random = seededRandom(opts.seed);
  const stats = { requests: 0, faults: { '500': 0, '503': 0, reset: 0, slow: 0 } as Record<InjectedFault, number> };
  const agent = new http.Agent({ keepAlive: true });
  let injected = 0;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    if (opts.refuse?.(req.method ?? 'GET', req.url ?? '/')) {
      req.resume();
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: these credentials may only read\n');
      return;
    }
    const fault = random() < opts.failureRate ? FAULTS[injected++ % FAULTS.length]! : undefined;
    if (fault) stats.faults[fault]++;
    switch (fault) {
      case '500':
      case '503':
        req.resume();
        res.writeHead(Number(fault), { 'content-type': 'text/plain' }).end('injected failure\n');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'slow':
        setTimeout(() => forward(req, res), opts.slowMs ?? 1500);
        return;
      default:
        forward(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

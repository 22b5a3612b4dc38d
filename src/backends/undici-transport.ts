/**
 * The HTTP transport for a REST server on the network: an undici pool of keep-alive
 * connections, one request in flight per connection.
 */
import { Pool } from 'undici';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';

export interface UndiciTransportOptions {
  /** `http(s)://host:port`: where every request goes. */
  origin: string;
  connections: number;
  /** PEM certificates to trust besides the system's. */
  ca?: string | Buffer;
  connectTimeoutMs: number;
  /** Time allowed for the answer's headers, and between two pieces of its body. */
  responseTimeoutMs: number;
}

export class UndiciTransport implements HttpTransport {
  readonly #pool: Pool;

  constructor(opts: UndiciTransportOptions) {
    this.#pool = new Pool(opts.origin, {
      connections: opts.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.responseTimeoutMs,
      bodyTimeout: opts.responseTimeoutMs,
      connect: { timeout: opts.connectTimeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) },
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.#pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body, signal: req.signal });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/**
 * How the REST backend's requests reach a server: the protocol (paths, statuses, bodies)
 * is the REST backend's, the carrying of requests is a transport's. undici over TCP for a
 * REST server (undici-transport.ts); HTTP/2 over a child's standard input and output for
 * `rclone serve restic --stdio` (http2-transport.ts).
 */
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  /** Absolute path on the server, starting with '/'. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: Readable;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  statusCode: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * Read it to its end, or `dump` it: either frees the request's connection or stream.
   * `destroy` (or leaving a `for await` early) gives up on the rest of it.
   */
  body: AsyncIterable<Uint8Array> & { dump(): Promise<void>; destroy(): void };
}

export interface HttpTransport {
  /**
   * Sends a request and resolves with the answer's status and headers. Rejects on a
   * network failure with the client's error (classified by describeNetworkError), or with
   * a BackendError when the transport knows better (the server process has exited).
   */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Lets requests in flight finish, then releases the connections. */
  close(): Promise<void>;
}

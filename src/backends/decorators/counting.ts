/**
 * A Backend decorator that counts calls and bytes by operation and file type: what a run
 * asked of the storage. Placed right above a remote backend, a call is a request (a list
 * of a REST server is one request; an S3 listing may be several pages).
 */
import { BackendDecorator, payloadParts, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../../engine/index.ts';

export type CountedOperation = 'create' | 'save' | 'load' | 'stat' | 'list' | 'remove';

export interface CallCount {
  /** Calls made, failed ones included. */
  calls: number;
  /** Bytes loaded (load) or sent (save). */
  bytes: number;
  /** Entries returned by list calls. */
  entries: number;
  /** Most calls of this kind running at the same time. */
  peakConcurrent: number;
}

export interface CountTotals {
  calls: number;
  bytesDownloaded: number;
  bytesUploaded: number;
}

export class CountingBackend extends BackendDecorator {
  readonly #counts = new Map<string, CallCount>();
  readonly #running = new Map<string, number>();

  constructor(inner: Backend) {
    super(inner);
  }

  /** Counts keyed `operation type` (`load index`, `save data`, …), sorted by key. */
  counts(): Record<string, CallCount> {
    return Object.fromEntries([...this.#counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]));
  }

  count(op: CountedOperation, type: FileType): CallCount {
    return { ...(this.#counts.get(`${op} ${type}`) ?? { calls: 0, bytes: 0, entries: 0, peakConcurrent: 0 }) };
  }

  totals(): CountTotals {
    let calls = 0;
    let bytesDownloaded = 0;
    let bytesUploaded = 0;
    for (const [key, c] of this.#counts) {
      calls += c.calls;
      if (key.startsWith('load ')) bytesDownloaded += c.bytes;
      if (key.startsWith('save ')) bytesUploaded += c.bytes;
    }
    return { calls, bytesDownloaded, bytesUploaded };
  }

  reset(): void {
    this.#counts.clear();
  }

  create(opts?: CallOptions): Promise<void> {
    return this.#track('create', 'config', 0, () => this.inner.create(opts));
  }

  save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    let size = 0;
    for (const p of payloadParts(data)) size += p.byteLength;
    return this.#track('save', h.type, size, () => this.inner.save(h, data, opts));
  }

  load(h: Handle, length?: number, offset?: number, opts?: CallOptions): Promise<Uint8Array> {
    return this.#track('load', h.type, 0, async (c) => {
      const data = await this.inner.load(h, length, offset, opts);
      c.bytes += data.byteLength;
      return data;
    });
  }

  stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    return this.#track('stat', h.type, 0, () => this.inner.stat(h, opts));
  }

  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    const c = this.#add('list', type, 0);
    for await (const f of this.inner.list(type, opts)) {
      c.entries++;
      yield f;
    }
  }

  remove(h: Handle, opts?: CallOptions): Promise<void> {
    return this.#track('remove', h.type, 0, () => this.inner.remove(h, opts));
  }

  async #track<T>(op: CountedOperation, type: FileType, bytes: number, fn: (c: CallCount) => Promise<T>): Promise<T> {
    const key = `${op} ${type}`;
    const c = this.#add(op, type, bytes);
    const running = (this.#running.get(key) ?? 0) + 1;
    this.#running.set(key, running);
    c.peakConcurrent = Math.max(c.peakConcurrent, running);
    try {
      return await fn(c);
    } finally {
      this.#running.set(key, this.#running.get(key)! - 1);
    }
  }

  #add(op: CountedOperation, type: FileType, bytes: number): CallCount {
    const key = `${op} ${type}`;
    let c = this.#counts.get(key);
    if (!c) {
      c = { calls: 0, bytes: 0, entries: 0, peakConcurrent: 0 };
      this.#counts.set(key, c);
    }
    c.calls++;
    c.bytes += bytes;
    return c;
  }
}

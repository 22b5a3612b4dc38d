/**
 * A repository held in this process's memory, keyed by restic's layout. It keeps the whole
 * storage contract (atomic saves, ranged loads, not-found and cancellation as the other
 * backends report them), so engine tests can run without a disk or a server.
 */
import {
  BackendError,
  isId,
  payloadParts,
  relativePath,
  throwIfAborted,
  type Backend,
  type CallOptions,
  type FileInfo,
  type FileType,
  type Handle,
  type Payload,
} from '../engine/index.ts';

const CONFIG: Handle = { type: 'config', name: '' };

export class MemoryBackend implements Backend {
  readonly location: string;
  // Nothing waits on a network or a disk: a few calls at once are as good as many.
  readonly connections = 4;
  /** Stored files by type, then by name; each stored buffer is ours alone. */
  readonly #files = new Map<FileType, Map<string, Uint8Array>>();

  constructor(label = 'repository') {
    this.location = `memory:${label}`;
  }

  async create(opts?: CallOptions): Promise<void> {
    throwIfAborted(opts?.signal);
    if (this.#get(CONFIG)) throw new BackendError('permanent', `${this.location}: a repository already exists here (config found)`);
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    throwIfAborted(opts?.signal);
    // A copy made whole before it is stored: readers never see part of it, and callers
    // may reuse or transfer their buffers afterwards.
    const parts = payloadParts(data);
    const stored = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
    let at = 0;
    for (const part of parts) {
      stored.set(part, at);
      at += part.byteLength;
    }
    this.#ofType(h.type).set(h.name, stored);
  }

  async load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    throwIfAborted(opts?.signal);
    const stored = this.#require(h, 'load');
    const end = length === 0 ? stored.byteLength : offset + length;
    if (offset > stored.byteLength || end > stored.byteLength) {
      throw new BackendError('permanent', `${this.#where(h)}: short read, wanted ${length} bytes at ${offset}, the file has ${stored.byteLength}`);
    }
    // A copy: the engine hands loaded buffers to workers, which detach them.
    return stored.slice(offset, end);
  }

  async stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    throwIfAborted(opts?.signal);
    return { name: h.name, size: this.#require(h, 'stat').byteLength };
  }

  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    throwIfAborted(opts?.signal);
    if (type === 'config') return;
    // The names as they are now, in order; files saved or removed meanwhile may or may not show, as on a disk.
    const names = [...(this.#files.get(type)?.keys() ?? [])].filter(isId).sort();
    for (const name of names) {
      throwIfAborted(opts?.signal);
      const stored = this.#files.get(type)?.get(name);
      if (stored) yield { name, size: stored.byteLength };
    }
  }

  async remove(h: Handle, opts?: CallOptions): Promise<void> {
    throwIfAborted(opts?.signal);
    this.#files.get(h.type)?.delete(h.name);
  }

  async close(): Promise<void> {}

  #ofType(type: FileType): Map<string, Uint8Array> {
    let files = this.#files.get(type);
    if (!files) {
      files = new Map();
      this.#files.set(type, files);
    }
    return files;
  }

  #get(h: Handle): Uint8Array | undefined {
    return this.#files.get(h.type)?.get(h.name);
  }

  #require(h: Handle, op: string): Uint8Array {
    const stored = this.#get(h);
    if (!stored) throw new BackendError('not-found', `${op} ${this.#where(h)}: does not exist`);
    return stored;
  }

  #where(h: Handle): string {
    return `${this.location}/${relativePath(h)}`;
  }
}

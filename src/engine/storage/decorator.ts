/**
 * The base of backends that wrap another to add one behaviour (retries, request counting,
 * the metadata cache): what they do not change, they forward to the wrapped backend.
 */
import type { Backend, CallOptions, FileInfo, FileType, Handle, Payload } from './backend.ts';

export abstract class BackendDecorator implements Backend {
  protected readonly inner: Backend;

  constructor(inner: Backend) {
    this.inner = inner;
  }

  get location(): string {
    return this.inner.location;
  }

  get connections(): number {
    return this.inner.connections;
  }

  get localRoot(): string | undefined {
    return this.inner.localRoot;
  }

  abstract create(opts?: CallOptions): Promise<void>;
  abstract save(h: Handle, data: Payload, opts?: CallOptions): Promise<void>;
  abstract load(h: Handle, length?: number, offset?: number, opts?: CallOptions): Promise<Uint8Array>;
  abstract stat(h: Handle, opts?: CallOptions): Promise<FileInfo>;
  abstract list(type: FileType, opts?: CallOptions): AsyncIterable<FileInfo>;
  abstract remove(h: Handle, opts?: CallOptions): Promise<void>;

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * A decorator that forwards every call: tests that inject one storage failure (a refused
 * delete, a failing lock write) override only the method they break.
 */
import type { CallOptions, FileInfo, FileType, Handle, Payload } from '../../src/engine/storage/backend.ts';
import { BackendDecorator } from '../../src/engine/storage/decorator.ts';

export class ForwardingBackend extends BackendDecorator {
  create(opts?: CallOptions): Promise<void> {
    return this.inner.create(opts);
  }
  save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    return this.inner.save(h, data, opts);
  }
  load(h: Handle, length?: number, offset?: number, opts?: CallOptions): Promise<Uint8Array> {
    return this.inner.load(h, length, offset, opts);
  }
  stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    return this.inner.stat(h, opts);
  }
  list(type: FileType, opts?: CallOptions): AsyncIterable<FileInfo> {
    return this.inner.list(type, opts);
  }
  remove(h: Handle, opts?: CallOptions): Promise<void> {
    return this.inner.remove(h, opts);
  }
}

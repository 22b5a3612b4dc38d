/**
 * Tells a hook about every file the storage confirmed it saved or removed: the CLI's
 * crash-safety failpoints (cli/failpoint.ts) kill the process there, at the moment a
 * change became durable.
 */
import { BackendDecorator, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../../engine/index.ts';

export type ChangeHook = (op: 'save' | 'remove', type: FileType) => void;

export class ChangeHookBackend extends BackendDecorator {
  readonly #hook: ChangeHook;

  constructor(inner: Backend, hook: ChangeHook) {
    super(inner);
    this.#hook = hook;
  }

  create(opts?: CallOptions): Promise<void> {
    return this.inner.create(opts);
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    await this.inner.save(h, data, opts);
    this.#hook('save', h.type);
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

  async remove(h: Handle, opts?: CallOptions): Promise<void> {
    await this.inner.remove(h, opts);
    this.#hook('remove', h.type);
  }
}

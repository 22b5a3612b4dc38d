/**
 * A lock that can no longer be refreshed is reported lost before others may take it for
 * stale, and the work under it stops with a message that says why (restic 0.16's rule).
 * The storage failure is injected by a decorator over an in-memory repository.
 */
import { describe, expect, it } from 'vitest';
import type { CallOptions, Handle, Payload } from '../../src/engine/storage/backend.ts';
import { ForwardingBackend } from '../helpers/forwarding-backend.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { ErrorCode, throwIfAborted } from '../../src/engine/errors.ts';
import { RepositoryLock } from '../../src/engine/repository/lock.ts';
import { Repository } from '../../src/engine/repository/repository.ts';

/** Fails every lock write once `failing` is set, as a full or read-only store would. */
class FailingLockWrites extends ForwardingBackend {
  failing = false;
  override save(h: Handle, data: Payload, opts?: CallOptions) {
    if (this.failing && h.type === 'lock') return Promise.reject(new BackendError('transient', 'no space left on device'));
    return this.inner.save(h, data, opts);
  }
}

describe('a lock that cannot be refreshed', () => {
  it('stays held while refreshes work, and is reported lost once they have failed for too long', async () => {
    const backend = new FailingLockWrites(new MemoryBackend());
    const repo = await Repository.init(backend, 'pw', { kdf: { N: 1024, r: 8, p: 1 } });
    const refreshErrors: string[] = [];
    const lock = await RepositoryLock.acquire(repo, {
      exclusive: true,
      timing: { refreshMs: 40, lostAfterMs: 150 },
      onRefreshError: (e) => refreshErrors.push((e as Error).message),
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(lock.lost.aborted).toBe(false);
      backend.failing = true;
      await new Promise((r) => setTimeout(r, 400));
      expect(refreshErrors.length).toBeGreaterThan(0);
      expect(lock.lost.aborted).toBe(true);
      let thrown: unknown;
      try {
        throwIfAborted(lock.lost);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({ code: ErrorCode.Locked });
      expect((thrown as Error).message).toContain('could not be refreshed');
    } finally {
      backend.failing = false;
      await lock.release();
    }
  });
});

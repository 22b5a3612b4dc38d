/** Small concurrency primitives: a counting semaphore and a bounded parallel for-each. */

/** A counting semaphore over an amount (slots, or bytes). Waiters are served in order. */
export class Semaphore {
  #available: number;
  readonly #capacity: number;
  readonly #waiters: { amount: number; resolve: () => void }[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#available = capacity;
  }

  /** Takes `amount` (capped at the capacity, so one oversized request cannot wait forever). */
  async acquire(amount = 1): Promise<number> {
    const take = Math.min(amount, this.#capacity);
    if (this.#waiters.length === 0 && this.#available >= take) {
      this.#available -= take;
      return take;
    }
    await new Promise<void>((resolve) => this.#waiters.push({ amount: take, resolve }));
    return take;
  }

  release(amount = 1): void {
    this.#available += amount;
    while (this.#waiters.length > 0 && this.#available >= this.#waiters[0]!.amount) {
      const w = this.#waiters.shift()!;
      this.#available -= w.amount;
      w.resolve();
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  await Promise.all(workers);
}

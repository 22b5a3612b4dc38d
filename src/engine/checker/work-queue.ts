/**
 * A queue that grows while it is worked on (a tree walk finds subtrees as it goes), with
 * at most `limit` items in flight. The first failure stops the workers and is thrown.
 */
export async function drainQueue<T>(initial: readonly T[], limit: number, work: (item: T, push: (item: T) => void) => Promise<void>): Promise<void> {
  const queue = [...initial];
  let head = 0;
  let busy = 0;
  let failed = false;
  const waiters: (() => void)[] = [];
  const push = (item: T) => {
    queue.push(item);
    waiters.shift()?.();
  };
  const worker = async () => {
    while (!failed) {
      if (head >= queue.length) {
        // Nothing queued: done if nobody is working, else wait for new items or the end.
        if (busy === 0) break;
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      const item = queue[head]!;
      queue[head++] = undefined as T; // let the walked item be collected
      busy++;
      try {
        await work(item, push);
      } catch (e) {
        failed = true;
        throw e;
      } finally {
        busy--;
        if (busy === 0 || failed) for (const w of waiters.splice(0)) w();
      }
    }
    // Whoever leaves last wakes the rest, so that no worker waits for an item that never comes.
    for (const w of waiters.splice(0)) w();
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}

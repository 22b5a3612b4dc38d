/**
 * Process signals for long operations, shared by the CLI and the action. SIGINT and
 * SIGTERM abort the work through an AbortSignal, so locks are released and nothing
 * half-written is referenced. A second signal does not cut that clean-up short (a
 * cancelled GitHub job sends SIGINT, then SIGTERM 7.5 s later); a third exits at once.
 * SIGHUP is ignored: restic sends it to probe whether a lock's process is alive, and Node
 * would die of it.
 */
export interface SignalScope {
  readonly signal: AbortSignal;
  /** Which signal aborted the work, if any. */
  readonly received: () => NodeJS.Signals | undefined;
  dispose(): void;
}

export function installSignalHandlers(onSignal?: (sig: NodeJS.Signals, count: number) => void): SignalScope {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let count = 0;
  const stop = (sig: NodeJS.Signals) => {
    count++;
    if (count >= 3) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    onSignal?.(sig, count);
    if (received) return;
    received = sig;
    controller.abort(new Error(`received ${sig}`));
  };
  const ignore = () => {};
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', ignore);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', ignore);
    },
  };
}

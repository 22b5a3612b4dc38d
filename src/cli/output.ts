/** Where the CLI writes: results to stdout, progress and warnings to stderr. */
export interface Output {
  result(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  /** A progress line: rewritten in place on a terminal, printed now and then otherwise. */
  progress(text: string): void;
  /** Ends a progress line in place. */
  done(): void;
  readonly progressIntervalMs: number;
}

export function consoleOutput(quiet: boolean): Output {
  const tty = process.stderr.isTTY === true;
  let inPlace = false;
  return {
    result: (text) => process.stdout.write(`${text}\n`),
    info: (text) => {
      if (!quiet) process.stderr.write(`${text}\n`);
    },
    warn: (text) => process.stderr.write(`${inPlace ? '\n' : ''}warning: ${text}\n`),
    progress: (text) => {
      if (quiet) return;
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        inPlace = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
    done: () => {
      if (inPlace) process.stderr.write('\n');
      inPlace = false;
    },
    progressIntervalMs: tty ? 1000 : 10_000,
  };
}

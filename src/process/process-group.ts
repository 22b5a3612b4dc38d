/**
 * What running a user's command needs, shared by the drill command and the dump command:
 * stopping its whole process group (a shell's children included), and its output as lines
 * with the last few kept for an error message.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;

/** Signals every process in the child's group; a group that is gone already is fine. */
export function signalProcessGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, sig);
  } catch {
    // the group is already gone
  }
}

/** SIGTERM to the group, then SIGKILL to whatever is left after the grace period. */
export function endProcessGroup(child: ChildProcess): void {
  signalProcessGroup(child, 'SIGTERM');
  setTimeout(() => signalProcessGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
}

/** Splits a stream of text into lines, keeping the last `keep` of them. */
export class LineTail {
  readonly #keep: number;
  readonly #onLine: (line: string) => void;
  readonly #tail: string[] = [];
  #partial = '';

  constructor(keep: number, onLine: (line: string) => void = () => {}) {
    this.#keep = keep;
    this.#onLine = onLine;
  }

  push(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#take(line.replace(/\r$/, ''));
  }

  /** Takes the last line when the output ended without a newline. */
  end(): void {
    if (this.#partial) this.#take(this.#partial);
    this.#partial = '';
  }

  get lines(): string[] {
    return [...this.#tail];
  }

  #take(line: string): void {
    this.#onLine(line);
    this.#tail.push(line);
    if (this.#tail.length > this.#keep) this.#tail.shift();
  }
}

/**
 * A crash on request, for the crash-safety tests: the process kills itself with SIGKILL
 * right after the Nth time it reaches a point, and nothing runs after it (no cleanup, no
 * lock removal), as in a power cut or an OOM kill. CHUNKVAULT_FAILPOINT names the point:
 *
 * - `prune:STEP:N`: a prune step (engine/prune/steps.ts);
 * - `save:TYPE:N` or `remove:TYPE:N`: a file of TYPE (data, index, snapshot, key, lock,
 *   config) written to or deleted from the repository's storage, once the storage confirmed
 *   it: this covers every command, remote repositories included.
 */
import { invalidInput, PRUNE_STEPS, type FileType, type PruneStep } from '../engine/index.ts';

type Failpoint = { kind: 'prune'; step: PruneStep; nth: number } | { kind: 'save' | 'remove'; type: FileType; nth: number };

const FILE_TYPES: readonly FileType[] = ['data', 'index', 'snapshot', 'key', 'lock', 'config'];

function parseFailpoint(env: NodeJS.ProcessEnv): Failpoint | undefined {
  const spec = env.CHUNKVAULT_FAILPOINT;
  if (!spec) return undefined;
  const m = /^(prune|save|remove):([a-z-]+):(\d+)$/.exec(spec);
  const nth = Number(m?.[3]);
  if (m?.[1] === 'prune' && (PRUNE_STEPS as readonly string[]).includes(m[2]!)) return { kind: 'prune', step: m[2] as PruneStep, nth };
  if (m && m[1] !== 'prune' && (FILE_TYPES as readonly string[]).includes(m[2]!)) return { kind: m[1] as 'save' | 'remove', type: m[2] as FileType, nth };
  throw invalidInput(
    `CHUNKVAULT_FAILPOINT '${spec}': expected prune:STEP:N with STEP one of ${PRUNE_STEPS.join(', ')}, or save:TYPE:N or remove:TYPE:N with TYPE one of ${FILE_TYPES.join(', ')}`,
  );
}

/** Counts occurrences and kills the process at the chosen one. */
function killAt(nth: number): () => void {
  let seen = 0;
  return () => {
    if (++seen === nth) process.kill(process.pid, 'SIGKILL');
  };
}

export function pruneFailpoint(env: NodeJS.ProcessEnv): ((step: PruneStep) => void) | undefined {
  const point = parseFailpoint(env);
  if (point?.kind !== 'prune') return undefined;
  const reached = killAt(point.nth);
  return (step) => {
    if (step === point.step) reached();
  };
}

export function storageFailpoint(env: NodeJS.ProcessEnv): ((op: 'save' | 'remove', type: FileType) => void) | undefined {
  const point = parseFailpoint(env);
  if (point === undefined || point.kind === 'prune') return undefined;
  const reached = killAt(point.nth);
  return (op, type) => {
    if (op === point.kind && type === point.type) reached();
  };
}

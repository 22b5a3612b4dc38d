/**
 * A crash on request, for the crash-safety tests: CHUNKVAULT_FAILPOINT=prune:STEP:N makes
 * the process kill itself with SIGKILL right after the Nth time a prune reaches STEP (see
 * engine/prune/steps.ts). Nothing runs after it: no cleanup, no lock removal, as in a
 * power cut or an OOM kill.
 */
import { invalidInput, PRUNE_STEPS, type PruneStep } from '../engine/index.ts';

export function pruneFailpoint(env: NodeJS.ProcessEnv): ((step: PruneStep) => void) | undefined {
  const spec = env.CHUNKVAULT_FAILPOINT;
  if (!spec) return undefined;
  const m = /^prune:([a-z-]+):(\d+)$/.exec(spec);
  if (!m || !(PRUNE_STEPS as readonly string[]).includes(m[1]!)) {
    throw invalidInput(`CHUNKVAULT_FAILPOINT '${spec}': expected prune:STEP:N with STEP one of ${PRUNE_STEPS.join(', ')}`);
  }
  const target = m[1] as PruneStep;
  const nth = Number(m[2]);
  let seen = 0;
  return (step) => {
    if (step === target && ++seen === nth) process.kill(process.pid, 'SIGKILL');
  };
}

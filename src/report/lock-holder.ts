/** A lock as unlock reports it, the same in the CLI, the action's log and its summary. */
import { describeHolder, formatTime, type LockHolder } from '../engine/index.ts';

export function describeLockHolder(h: LockHolder): string {
  return `${h.info.exclusive ? 'exclusive' : 'shared'} lock of ${describeHolder(h.info)} since ${formatTime(h.info.time)}`;
}

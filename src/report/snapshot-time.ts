/** A snapshot's time as snapshot tables show it: `2026-11-23 18:04:36` (UTC, whole seconds). */
import { formatTime } from '../engine/index.ts';

export function snapshotTimeText(ns: bigint): string {
  return formatTime(ns).replace('T', ' ').replace(/\.\d+/, '').replace('Z', '');
}

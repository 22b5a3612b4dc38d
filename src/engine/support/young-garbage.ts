/**
 * Frees the young generation's garbage now, buffers included.
 *
 * V8 counts memory outside its heap (ArrayBuffers: blobs, OpenSSL's and zstd's outputs)
 * and collects only when that grows by about 64 MiB since the last collection, per
 * isolate. A codec worker allocates little on its heap but several buffers per blob, so
 * each worker used to sit on about 70 MiB of dead buffers: 120 MiB of a backup's peak
 * memory with two workers. A minor collection after each batch costs well under a
 * millisecond (the young generation is 8 MiB, see WORKER_LIMITS) and returns them at once.
 *
 * `gc` is exposed the documented way for code that cannot choose its own command line
 * (the runner starts the action's Node): set the flag, then take `gc` from a new context,
 * where V8 installs it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

let collect: Collect | undefined;

export function collectYoungGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  collect({ type: 'minor', execution: 'sync' });
}

/**
 * The encoder pool's worker thread: compresses and encrypts each blob of a batch with
 * the codec, and sends back `IV || ciphertext || 16 spare bytes` for the main thread's
 * MAC; or hashes a blob (its id) and sends it back with the id. Inputs go back too: the main thread owns all memory, so no garbage waits in this
 * isolate for a late collection.
 */
import { createHash } from 'node:crypto';
import { isMarkedAsUntransferable, parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.ts';
import { encryptBlob } from './codec-core.ts';
import type { EncodeBatch, EncodeResult } from './encoder-pool.ts';

parentPort!.on('message', ({ batch, key, jobs }: EncodeBatch) => {
  const results: EncodeResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const { data, level, rawIfLarger, hashLength } of jobs) {
    try {
      if (hashLength !== undefined) {
        results.push({ id: createHash('sha256').update(data.subarray(0, hashLength)).digest('hex'), data });
        const input = data.buffer as ArrayBuffer;
        if (!transfer.includes(input) && !isMarkedAsUntransferable(input)) transfer.push(input);
        continue;
      }
      if (!key) throw new Error('no key for an encode job');
      const { framed, compressed } = encryptBlob(key, data, { level, rawIfLarger });
      results.push({ framed, compressed });
      transfer.push(framed.buffer as ArrayBuffer);
      const input = data.buffer as ArrayBuffer;
      if (!transfer.includes(input) && !isMarkedAsUntransferable(input)) transfer.push(input);
    } catch (e) {
      results.push({ error: errorMessage(e) });
    }
  }
  parentPort!.postMessage({ batch, results }, transfer);
});

/**
 * Streams a dump source into the repository as one file node. The node is returned only
 * when the producer ended successfully and (unless allowed) wrote something: otherwise a
 * DumpError is thrown and the caller writes no snapshot.
 */
import type { Archiver } from '../archiver/archiver.ts';
import { isChunkvaultError } from '../errors.ts';
import type { TreeNode } from '../format/index.ts';
import { DumpError, dumpFailure } from './dump-error.ts';
import type { DumpSource } from './dump-source.ts';

export interface SavedDump {
  node: TreeNode;
  /** Bytes the producer wrote. */
  bytes: number;
}

export async function saveDump(archiver: Archiver, source: DumpSource, timeNs: bigint, signal?: AbortSignal): Promise<SavedDump> {
  const running = source.start(signal);
  let node: TreeNode;
  try {
    node = await archiver.streamFile(source.filename, running.output, timeNs);
  } catch (e) {
    // Our side failed (storage, cancellation): stop the producer, and wait for it so that
    // nothing it started outlives the backup.
    running.stop();
    const end = await running.ended;
    // A stream that broke because the producer died is the producer's failure.
    const failure = dumpFailure(end);
    if (!isChunkvaultError(e) && failure) throw new DumpError(failure, source.label, end, { cause: e });
    throw e;
  }
  const end = await running.ended;
  const failure = dumpFailure(end);
  if (failure) throw new DumpError(failure, source.label, end);
  const bytes = node.size ?? 0;
  if (bytes === 0 && !source.allowEmpty) throw new DumpError('empty', source.label, end);
  return { node, bytes };
}

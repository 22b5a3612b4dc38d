/**
 * A file's content written blob by blob, in order, each blob read from its pack and
 * verified (MAC, length, SHA-256) by Repository.loadBlob. A few blobs are read ahead so
 * that a remote backend's latency overlaps the writing; memory is bounded by that
 * window (at most a few blobs of up to 8 MiB), whatever the file's size.
 */
import type { TreeNode } from '../format/index.ts';
import type { Repository } from '../repository/repository.ts';
import type { OutputSink } from './output-sink.ts';

const READ_AHEAD_BLOBS = 4;

/** Writes the content; returns the number of bytes written. */
export async function writeFileContent(repo: Repository, node: TreeNode, sink: OutputSink, signal?: AbortSignal): Promise<number> {
  const ids = node.content ?? [];
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const readMore = () => {
    while (next < ids.length && pending.length < READ_AHEAD_BLOBS) {
      const p = repo.loadBlob('data', ids[next++]!, { signal });
      // Awaited in order below; until then a failure must not count as unhandled.
      p.catch(() => {});
      pending.push(p);
    }
  };
  let written = 0;
  readMore();
  while (pending.length > 0) {
    const blob = await pending.shift()!;
    readMore();
    await sink.write(blob, signal);
    written += blob.byteLength;
  }
  return written;
}

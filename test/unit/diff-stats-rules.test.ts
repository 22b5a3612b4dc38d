/**
 * The small rules diff and stats take from Go and restic 0.14: path joining (Go's
 * path.Join), names as Go sees them (invalid UTF-8 kept per byte, written as \ufffd in
 * JSON), node equality (restic's Node.Equals), the output lines of report/, and the
 * tree prefetcher's failure handling.
 */
import { describe, expect, it } from 'vitest';
import { goJsonString, nameText, type TreeNode } from '../../src/engine/format/index.ts';
import { goPathJoin } from '../../src/engine/format/go-path.ts';
import { nodesEqual, sameContent } from '../../src/engine/format/node-equals.ts';
import { diffChangeJson, diffChangeLine, diffStatisticsLines } from '../../src/report/diff-report.ts';
import { statsJson, statsLines } from '../../src/report/stats-report.ts';
import type { DiffResult, StatsResult } from '../../src/engine/index.ts';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { TreePrefetcher } from '../../src/engine/repository/tree-prefetcher.ts';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

function node(over: Partial<TreeNode> = {}): TreeNode {
  return { name: new TextEncoder().encode('f'), type: 'file', mtime: 1n, atime: 2n, ctime: 3n, uid: 1000, gid: 1000, content: [ID_A], ...over };
}

describe('Go path joining', () => {
  it('joins and cleans as path.Join does', () => {
    expect(goPathJoin('/', 'a')).toBe('/a');
    expect(goPathJoin('/a/', 'b')).toBe('/a/b');
    expect(goPathJoin('/a', '..')).toBe('/');
    expect(goPathJoin('/', '..')).toBe('/');
    expect(goPathJoin('/a', 'b/./c')).toBe('/a/b/c');
    expect(goPathJoin('', '')).toBe('');
  });
});

describe('names as Go sees them', () => {
  it('keeps valid UTF-8 and turns each invalid byte into one \\ufffd in JSON, as Go does', () => {
    expect(nameText(new TextEncoder().encode('añb'))).toBe('añb');
    const bad = Uint8Array.from([0x61, 0xe2, 0x82, 0x62, 0xff]);
    // Go: "a", two invalid bytes (an incomplete rune and its continuation), "b", one invalid byte.
    expect(goJsonString(nameText(bad))).toBe('"a\\ufffd\\ufffdb\\ufffd"');
    expect(goJsonString('<&>')).toBe('"\\u003c\\u0026\\u003e"');
  });
});

describe("restic's node comparison", () => {
  it('tells metadata changes apart and treats null content unlike empty content', () => {
    expect(nodesEqual(node(), node())).toBe(true);
    expect(nodesEqual(node(), node({ atime: 5n }))).toBe(false);
    expect(nodesEqual(node(), node({ mode: 0o600 }))).toBe(false);
    expect(nodesEqual(node({ extendedAttributes: [{ name: 'x', value: null }] }), node({ extendedAttributes: [{ name: 'x', value: new Uint8Array(0) }] }))).toBe(true);
    expect(nodesEqual(node({ extendedAttributes: [{ name: 'x', value: null }] }), node({ extendedAttributes: [{ name: 'y', value: null }] }))).toBe(false);
    expect(sameContent([], [])).toBe(true);
    expect(sameContent(null, [])).toBe(false);
    expect(sameContent([ID_A, ID_B], [ID_B, ID_A])).toBe(false);
  });
});

describe("restic's output lines", () => {
  it('pads modifiers and counts as restic does and escapes JSON as Go does', () => {
    expect(diffChangeLine({ path: '/a/', modifier: '+' })).toBe('+    /a/');
    expect(diffChangeLine({ path: '/b', modifier: 'TU' })).toBe('TU   /b');
    expect(diffChangeJson({ path: '/x<y>', modifier: 'M' })).toBe('{"message_type":"change","path":"/x\\u003cy\\u003e","modifier":"M"}');
    const counts = { files: 1, dirs: 2, others: 3, dataBlobs: 4, treeBlobs: 5, bytes: 0 };
    const lines = diffStatisticsLines({ changedFiles: 12345, added: counts, removed: { ...counts, bytes: 2048 } } as DiffResult);
    expect(lines).toEqual([
      '',
      'Files:           1 new,     1 removed, 12345 changed',
      'Dirs:            2 new,     2 removed',
      'Others:          3 new,     3 removed',
      'Data Blobs:      4 new,     4 removed',
      'Tree Blobs:      5 new,     5 removed',
      '  Added:   0 B  ',
      '  Removed: 2.00 KiB',
    ]);
  });

  it('leaves zero counts out as restic stats does', () => {
    const r: StatsResult = { mode: 'raw-data', snapshots: ['s'], totalSize: 10, totalFileCount: 0, totalBlobCount: 3 };
    expect(statsLines(r)).toEqual(['Stats in raw-data mode:', 'Snapshots processed:   1', '   Total Blob Count:   3', '         Total Size:   10 B ']);
    expect(statsJson(r)).toBe('{"total_size":10,"total_file_count":0,"total_blob_count":3,"snapshots_count":1}');
    expect(statsJson({ ...r, totalBlobCount: 0 })).toBe('{"total_size":10,"total_file_count":0,"snapshots_count":1}');
  });
});

describe('TreePrefetcher', () => {
  it('hands a failed load to the walk that asks, and a failure nobody asks for ends nothing', async () => {
    const repo = await Repository.init(new MemoryBackend(), 'pw', { kdf: { N: 16384, r: 8, p: 1 } });
    const trees = new TreePrefetcher(repo, { concurrency: 2 });
    // Neither tree is in the index: both loads fail.
    trees.prefetch([ID_A, ID_B]);
    trees.forget(ID_B);
    await expect(trees.load(ID_A)).rejects.toMatchObject({ code: ErrorCode.Integrity });
    // Give the forgotten load's rejection time to surface: vitest fails the run on an unhandled one.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(trees.load(ID_B)).rejects.toThrow(/not in the index/);
  });
});

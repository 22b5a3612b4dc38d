/**
 * Property tests of the repository's parsers: what we write reads back to the same bytes
 * (encode → decode → encode is the identity), and any other input is refused with our
 * typed error, never a TypeError, a RangeError or a crash.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey, type MasterKey } from '../../src/engine/crypto/master-key.ts';
import { createKeyFile, openKeyFile, readKeyFileInfo } from '../../src/engine/crypto/key-file.ts';
import { initCrypto } from '../../src/engine/crypto/poly1305.ts';
import { ChunkvaultError } from '../../src/engine/errors.ts';
import {
  parseIndex,
  parseSnapshot,
  parseTree,
  serializeIndex,
  serializeSnapshot,
  serializeTree,
  type IndexFile,
  type Snapshot,
  type TreeNode,
} from '../../src/engine/format/index.ts';
import { MAX_TIME_NS, MIN_TIME_NS } from '../../src/engine/format/time.ts';
import { MAX_HEADER_BYTES, PACK_TAIL_GUESS_BYTES, Packer, parsePackHeader } from '../../src/engine/repository/pack.ts';
import { concatBytes, toHex } from '../../src/engine/support/bytes.ts';
import { FUZZ_RUNS, expectReadOrRefused, expectRefused, mutatedBytes, mutatedText } from '../helpers/fuzz.ts';

const id = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex).filter((h) => h !== '0'.repeat(64));
const time = fc.bigInt({ min: MIN_TIME_NS, max: MAX_TIME_NS });
const uint32 = fc.nat({ max: 0xffff_ffff });
const safeUint = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const uint64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });
const text = fc.string({ unit: 'binary', maxLength: 12 });

const indexFile: fc.Arbitrary<IndexFile> = fc.record(
  {
    supersedes: fc.array(id, { maxLength: 3 }),
    packs: fc.array(
      fc.record({
        id,
        blobs: fc.array(
          fc.record(
            {
              id,
              type: fc.constantFrom('data' as const, 'tree' as const),
              offset: safeUint,
              length: safeUint,
              uncompressedLength: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
            },
            { requiredKeys: ['id', 'type', 'offset', 'length'] },
          ),
          { maxLength: 4 },
        ),
      }),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ['packs'] },
);

const treeNode: fc.Arbitrary<TreeNode> = fc
  .record({
    name: fc.uint8Array({ minLength: 1, maxLength: 10 }),
    type: fc.constantFrom('file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket'),
    mode: uint32,
    mtime: time,
    atime: time,
    ctime: time,
    uid: uint32,
    gid: uint32,
    user: text,
    group: text,
    inode: uint64,
    deviceId: uint64,
    size: safeUint,
    links: uint64,
    linktarget: text,
    extendedAttributes: fc.array(fc.record({ name: text, value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }) }), { maxLength: 2 }),
    device: uint64,
    content: fc.array(id, { maxLength: 3 }),
    subtree: id,
    error: text,
  })
  .map((n): TreeNode => {
    // What serializeTree requires: a file has content, a dir a subtree, nothing else content.
    const node: TreeNode = { ...n, content: n.type === 'file' ? n.content : null };
    if (n.type !== 'dir') delete node.subtree;
    return node;
  });
const tree = fc.uniqueArray(treeNode, { selector: (n) => toHex(n.name), maxLength: 5 });

// A day inside the range, so that the time written in any offset stays within years 0..9999.
const DAY_NS = 86_400n * 1_000_000_000n;
const snapshotTime = fc.bigInt({ min: MIN_TIME_NS + DAY_NS, max: MAX_TIME_NS - DAY_NS });

const snapshot: fc.Arbitrary<Snapshot> = fc.record(
  {
    time: snapshotTime,
    timeOffsetSeconds: fc.integer({ min: -14 * 3600, max: 14 * 3600 }).map((s) => s - (s % 60)),
    parent: id,
    tree: id,
    paths: fc.array(text, { maxLength: 3 }),
    hostname: text,
    username: text,
    uid: uint32,
    gid: uint32,
    excludes: fc.array(text, { maxLength: 2 }),
    tags: fc.array(text, { maxLength: 2 }),
    original: id,
    programVersion: text,
    description: text,
    summary: fc.record({
      backupStart: time,
      backupEnd: time,
      filesNew: safeUint,
      filesChanged: safeUint,
      filesUnmodified: safeUint,
      dirsNew: safeUint,
      dirsChanged: safeUint,
      dirsUnmodified: safeUint,
      dataBlobs: safeUint,
      treeBlobs: safeUint,
      dataAdded: safeUint,
      dataAddedPacked: safeUint,
      totalFilesProcessed: safeUint,
      totalBytesProcessed: safeUint,
    }),
  },
  { requiredKeys: ['time', 'tree', 'paths'] },
);

/** A JSON document of any shape, for the parsers' "refuse, never crash" properties. */
beforeAll(initCrypto);

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => new TextEncoder().encode(JSON.stringify(v)));

describe('index files', () => {
  it('read back to the same bytes they were written as', () => {
    fc.assert(
      fc.property(indexFile, (f) => {
        const bytes = serializeIndex(f);
        expect(serializeIndex(parseIndex(bytes))).toEqual(bytes);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('when damaged or of another shape are read or refused with a typed error, never crash', () => {
    const damaged = fc.oneof(indexFile.chain((f) => mutatedText(serializeIndex(f))), anyJson);
    fc.assert(fc.property(damaged, (bytes) => expectReadOrRefused(() => parseIndex(bytes))), { numRuns: FUZZ_RUNS });
  });
});

describe('tree blobs', () => {
  it('read back to the same bytes they were written as', () => {
    fc.assert(
      fc.property(tree, (nodes) => {
        const bytes = serializeTree(nodes);
        expect(serializeTree(parseTree(bytes))).toEqual(bytes);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('when damaged or of another shape are read or refused with a typed error, never crash', () => {
    const damaged = fc.oneof(tree.chain((nodes) => mutatedText(serializeTree(nodes))), anyJson);
    fc.assert(fc.property(damaged, (bytes) => expectReadOrRefused(() => parseTree(bytes))), { numRuns: FUZZ_RUNS });
  });
});

describe('snapshot files', () => {
  it('read back to the same bytes they were written as', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        const bytes = serializeSnapshot(s);
        expect(serializeSnapshot(parseSnapshot(bytes))).toEqual(bytes);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('when damaged or of another shape are read or refused with a typed error, never crash', () => {
    const damaged = fc.oneof(snapshot.chain((s) => mutatedText(serializeSnapshot(s))), anyJson);
    fc.assert(fc.property(damaged, (bytes) => expectReadOrRefused(() => parseSnapshot(bytes))), { numRuns: FUZZ_RUNS });
  });
});

describe('pack headers', () => {
  const blobs = fc.array(
    fc.record({
      id,
      length: fc.integer({ min: 32, max: 200 }),
      uncompressedLength: fc.option(fc.integer({ min: 1, max: 0xffff_ffff }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 40 },
  );
  const key = generateMasterKey();

  function packOf(type: 'data' | 'tree', list: { id: string; length: number; uncompressedLength?: number }[]): Uint8Array {
    const packer = new Packer(type);
    for (const b of list) packer.add(b.id, new Uint8Array(b.length).fill(0xa5), b.uncompressedLength);
    return concatBytes(packer.finish(key).parts);
  }

  /** Parses as readers do: the guessed tail first, the whole header when it asks for more. */
  function readHeader(k: MasterKey, pack: Uint8Array) {
    const first = parsePackHeader(k, pack.subarray(Math.max(0, pack.byteLength - PACK_TAIL_GUESS_BYTES)), pack.byteLength);
    if (!('needBytes' in first)) return first.blobs;
    // Bounded allocation: never more than the pack holds, never past restic's header limit.
    expect(first.needBytes).toBeLessThanOrEqual(Math.min(pack.byteLength, MAX_HEADER_BYTES));
    const second = parsePackHeader(k, pack.subarray(pack.byteLength - first.needBytes), pack.byteLength);
    if ('needBytes' in second) throw new Error('asked for more bytes twice');
    return second.blobs;
  }

  it('list the blobs the packer put in, with their offsets', () => {
    fc.assert(
      fc.property(fc.constantFrom('data' as const, 'tree' as const), blobs, (type, list) => {
        let offset = 0;
        const expected = list.map((b) => {
          const entry = { id: b.id, type, offset, length: b.length, ...(b.uncompressedLength ? { uncompressedLength: b.uncompressedLength } : {}) };
          offset += b.length;
          return entry;
        });
        expect(readHeader(key, packOf(type, list))).toEqual(expected);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('are refused with a typed error when any byte is flipped, cut or added', () => {
    fc.assert(
      fc.property(
        blobs.chain((list) => {
          const pack = packOf('data', list);
          // Only the sealed header and its length describe the pack; blob bytes are checked per blob.
          const headerStart = list.reduce((sum, b) => sum + b.length, 0);
          return mutatedBytes(pack, headerStart);
        }),
        (pack) => {
          expectRefused(() => readHeader(key, pack));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('claiming any header length are refused without allocating it', () => {
    fc.assert(
      fc.property(blobs, uint32, fc.integer({ min: 0, max: 2 ** 40 }), (list, claimed, claimedPackSize) => {
        const pack = packOf('tree', list);
        new DataView(pack.buffer, pack.byteOffset).setUint32(pack.byteLength - 4, claimed, true);
        const packSize = claimedPackSize === 0 ? pack.byteLength : claimedPackSize;
        const tail = pack.subarray(Math.max(0, pack.byteLength - PACK_TAIL_GUESS_BYTES));
        let result: ReturnType<typeof parsePackHeader> | undefined;
        try {
          result = parsePackHeader(key, tail, packSize);
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkvaultError);
          return;
        }
        if ('needBytes' in result) {
          expect(result.needBytes).toBeLessThanOrEqual(Math.min(packSize, MAX_HEADER_BYTES));
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('key files', () => {
  // The cheapest scrypt restic accepts: the KDF is not what these properties are about.
  const KDF = { N: 2, r: 1, p: 1 };
  const meta = { username: 'u', hostname: 'h', created: new Date('2024-05-06T07:08:09Z') };

  it('open with their password and give back the master key, and not with another', async () => {
    await initCrypto();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 16 }), fc.string({ minLength: 1, maxLength: 4 }), async (password, other) => {
        const master = generateMasterKey();
        const file = await createKeyFile(master, password, meta, KDF);
        expect(await openKeyFile(file, password)).toEqual(master);
        expect(await openKeyFile(file, password + other)).toBeUndefined();
        expect(readKeyFileInfo(file)).toEqual({ username: 'u', hostname: 'h', created: '2024-05-06T07:08:09Z' });
      }),
      { numRuns: FUZZ_RUNS / 4 },
    );
  });

  it('are refused with a typed error, or do not open, when damaged', async () => {
    const master = generateMasterKey();
    const file = await createKeyFile(master, 'pw', meta, KDF);
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText(file), anyJson), async (damaged) => {
        let opened: MasterKey | undefined;
        try {
          opened = await openKeyFile(damaged, 'pw');
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkvaultError);
          return;
        }
        // A change the JSON reader ignores (white space, an escape) may still open it; then it is the same key.
        if (opened !== undefined) expect(opened).toEqual(master);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

/**
 * Property tests of decryption: a sealed blob, an index or snapshot file, a key file's
 * sealed master key, a zstd frame inside authenticated data, each damaged at random (bits
 * flipped, cut short, grown, bytes inserted or deleted), is always refused with our
 * typed error, never opened, never a crash or a hang.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backends/memory.ts';
import { openBlob, openBlobAsync, sealBlob } from '../../src/engine/blob-codec/blob-codec.ts';
import { compressSync } from '../../src/engine/compress/zstd.ts';
import { decodeBase64Strict, encodeBase64 } from '../../src/engine/crypto/encoding.ts';
import { createKeyFile, openKeyFile } from '../../src/engine/crypto/key-file.ts';
import { generateMasterKey } from '../../src/engine/crypto/master-key.ts';
import { initCrypto } from '../../src/engine/crypto/poly1305.ts';
import { open, seal } from '../../src/engine/crypto/seal.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';
import { idOf } from '../../src/engine/format/id.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { decodeUnpacked } from '../../src/engine/repository/unpacked.ts';
import { utf8 } from '../../src/engine/support/bytes.ts';
import { FUZZ_RUNS, expectRefused, mutatedBytes } from '../helpers/fuzz.ts';
import { CHEAP_KDF } from '../helpers/cheap-repository.ts';

const key = generateMasterKey();
/** Compressible and incompressible contents, so both the raw and the zstd paths are damaged. */
const content = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 300 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 4000 })).map(([b, n]) => new Uint8Array(n).fill(b)),
);

async function expectRefusedAsync(read: () => Promise<unknown>): Promise<ChunkvaultError> {
  let thrown: unknown;
  try {
    await read();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ChunkvaultError);
  return thrown as ChunkvaultError;
}

beforeAll(initCrypto);

describe('sealed data', () => {
  it('opens to what was sealed', () => {
    fc.assert(
      fc.property(content, (plain) => {
        expect(open(key, seal(key, plain))).toEqual(plain);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('damaged anywhere is refused as an integrity failure', () => {
    const damaged = content.chain((plain) => mutatedBytes(seal(key, plain)));
    fc.assert(
      fc.property(damaged, (sealed) => {
        expect(expectRefused(() => open(key, sealed)).code).toBe(ErrorCode.Integrity);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('blobs', () => {
  const stored = content.map((plain) => {
    const { sealed, compressed } = sealBlob(key, plain, { level: 1, rawIfLarger: true });
    return { sealed, expected: { id: idOf(plain), uncompressedLength: compressed ? plain.byteLength : 0 } };
  });

  it('open to their content, compressed or not', async () => {
    await fc.assert(
      fc.asyncProperty(content, async (plain) => {
        const { sealed, compressed } = sealBlob(key, plain, { level: 1, rawIfLarger: true });
        const expected = { id: idOf(plain), uncompressedLength: compressed ? plain.byteLength : 0 };
        expect(new Uint8Array(openBlob(key, sealed, expected))).toEqual(plain);
        expect(new Uint8Array(await openBlobAsync(key, sealed, expected))).toEqual(plain);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('damaged anywhere are refused on both paths', async () => {
    const damaged = stored.chain(({ sealed, expected }) => mutatedBytes(sealed).map((bytes) => ({ bytes, expected })));
    await fc.assert(
      fc.asyncProperty(damaged, async ({ bytes, expected }) => {
        expect(expectRefused(() => openBlob(key, bytes, expected)).code).toBe(ErrorCode.Integrity);
        expect((await expectRefusedAsync(() => openBlobAsync(key, bytes, expected))).code).toBe(ErrorCode.Integrity);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('whose authentic zstd frame is damaged, or whose declared length is wrong, are refused', async () => {
    // What a key holder's bug could store: a valid MAC over a bad frame, or an index entry with another length.
    const frames = fc
      .uint8Array({ minLength: 1, maxLength: 2000 })
      .map((plain) => ({ plain, frame: compressSync(plain, 'auto') }))
      .chain(({ plain, frame }) =>
        fc.tuple(
          fc.constant(plain),
          fc.oneof(mutatedBytes(frame), fc.constant(frame)),
          fc.oneof(fc.constant(plain.byteLength), fc.integer({ min: 1, max: 0xffff_ffff })),
        ),
      );
    await fc.assert(
      fc.asyncProperty(frames, async ([plain, frame, declared]) => {
        const sealed = seal(key, frame);
        const expected = { id: idOf(plain), uncompressedLength: declared };
        let opened: Uint8Array | undefined;
        try {
          opened = await openBlobAsync(key, sealed, expected);
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkvaultError);
          expect((e as ChunkvaultError).code).toBe(ErrorCode.Integrity);
          return;
        }
        // Only the true content, at its true length, may come out.
        expect(new Uint8Array(opened)).toEqual(plain);
        expect(declared).toBe(plain.byteLength);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('index and snapshot files', () => {
  let repo: Repository;
  let backend: MemoryBackend;
  beforeAll(async () => {
    backend = new MemoryBackend();
    repo = await Repository.init(backend, 'pw', { kdf: CHEAP_KDF });
  });

  const document = fc.jsonValue({ maxDepth: 2 }).map((v) => utf8.encode(JSON.stringify({ v })));

  it('damaged, under their own name or the damaged bytes\' name, are refused as integrity failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('index' as const, 'snapshot' as const),
        document,
        fc.boolean(),
        fc.gen(),
        async (type, json, renamed, g) => {
          const { id } = await repo.saveUnpacked(type, json);
          const stored = await backend.load({ type, name: id });
          const damaged = g(mutatedBytes, stored);
          const name = renamed ? idOf(damaged) : id;
          await backend.save({ type, name }, damaged);
          const error = await expectRefusedAsync(() => repo.loadUnpacked(type, name));
          expect(error.code).toBe(ErrorCode.Integrity);
          await backend.remove({ type, name });
          await backend.remove({ type, name: id });
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('whose authentic content is a damaged zstd frame are refused within the size bound', () => {
    const frames = document.chain((json) => mutatedBytes(Uint8Array.of(2, ...compressSync(json, 'auto')), 1));
    fc.assert(
      fc.property(frames, (plain) => {
        try {
          decodeUnpacked(plain, 2);
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkvaultError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('key files', () => {
  it('whose sealed master key is damaged never open, and fail only with our typed error', async () => {
    const meta = { username: 'u', hostname: 'h' };
    const file = JSON.parse(utf8.decode(await createKeyFile(key, 'pw', meta, { N: 2, r: 1, p: 1 }))) as Record<string, unknown>;
    const data = decodeBase64Strict(file['data'] as string)!;
    await fc.assert(
      fc.asyncProperty(mutatedBytes(data), async (damaged) => {
        const bytes = utf8.encode(JSON.stringify({ ...file, data: encodeBase64(damaged) }));
        try {
          expect(await openKeyFile(bytes, 'pw')).toBeUndefined();
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkvaultError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

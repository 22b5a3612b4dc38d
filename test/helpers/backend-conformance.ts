/**
 * The contract every backend must keep (src/engine/storage/backend.ts), as vitest tests: one
 * suite run against local, REST and S3, as restic's backend/test suite runs against each
 * of its backends. Call `describeBackendConformance` at the top level of a test file with
 * a factory for fresh, empty (not yet created) backends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, FileInfo, FileType, Handle } from '../../src/engine/storage/backend.ts';
import { BackendError } from '../../src/engine/storage/errors.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/errors.ts';
import { forEachLimited } from '../../src/engine/support/concurrency.ts';

export interface ConformanceFactory {
  /** A backend over a fresh, empty location; `create` has not been called on it. */
  open(): Promise<Backend>;
  /** Releases what `open` made (the backend is closed by the suite). */
  teardown?(backend: Backend): Promise<void>;
}

const NON_CONFIG_TYPES: readonly FileType[] = ['key', 'data', 'index', 'snapshot', 'lock'];

export function describeBackendConformance(name: string, factory: ConformanceFactory): void {
  describe(`backend conformance: ${name}`, () => {
    let backend: Backend;

    beforeEach(async () => {
      backend = await factory.open();
    });

    afterEach(async () => {
      await backend.close();
      await factory.teardown?.(backend);
    });

    async function created(): Promise<Backend> {
      await backend.create();
      return backend;
    }

    it('create makes an empty repository: no config, and every type lists nothing', async () => {
      const be = await created();
      await expectKind(be.stat({ type: 'config', name: '' }), 'not-found');
      for (const type of [...NON_CONFIG_TYPES, 'config'] as const) expect(await listAll(be, type), type).toEqual([]);
    });

    it('create refuses a location that already holds a config, as permanent', async () => {
      const be = await created();
      await be.save({ type: 'config', name: '' }, randomBytes(200));
      await expectKind(be.create(), 'permanent');
    });

    it('saves and loads every file type byte for byte, and stat gives each size', async () => {
      const be = await created();
      const files = [{ h: { type: 'config' as const, name: '' }, data: randomBytes(155) }, ...NON_CONFIG_TYPES.map((t, i) => file(t, 100 + i * 997))];
      for (const f of files) await be.save(f.h, f.data);
      for (const f of files) {
        expect(equal(await be.load(f.h), f.data), `${f.h.type}`).toBe(true);
        expect(await be.stat(f.h), f.h.type).toEqual({ name: f.h.name, size: f.data.byteLength });
      }
    });

    it('loads ranges: offset and length, length 0 meaning to the end', async () => {
      const be = await created();
      const f = file('data', 100_000);
      await be.save(f.h, f.data);
      const size = f.data.byteLength;
      const cases: [length: number, offset: number][] = [
        [0, 0],
        [10, 0],
        [0, 5],
        [1, size - 1],
        [0, size - 1],
        [0, size],
        [size, 0],
        [1000, 12_345],
        [size - 12_345, 12_345],
      ];
      for (const [length, offset] of cases) {
        const got = await be.load(f.h, length, offset);
        const want = f.data.subarray(offset, length === 0 ? size : offset + length);
        expect(got.byteLength, `length ${length} at ${offset}`).toBe(want.byteLength);
        expect(equal(got, want), `length ${length} at ${offset}`).toBe(true);
      }
    });

    it('a range that runs past the end of the file fails as permanent instead of returning fewer bytes', async () => {
      const be = await created();
      const f = file('data', 4096);
      await be.save(f.h, f.data);
      await expectKind(be.load(f.h, 100, 4090), 'permanent');
    });

    it('load and stat of a missing file fail as not-found, for packs, metadata and the config', async () => {
      const be = await created();
      for (const h of [file('data', 1).h, file('index', 1).h, file('snapshot', 1).h, { type: 'config' as const, name: '' }]) {
        await expectKind(be.load(h), 'not-found');
        await expectKind(be.load(h, 10, 5), 'not-found');
        await expectKind(be.stat(h), 'not-found');
      }
    });

    it('lists each type with sizes, and only that type', async () => {
      const be = await created();
      const saved = new Map<FileType, Map<string, number>>();
      for (const type of NON_CONFIG_TYPES) {
        const names = new Map<string, number>();
        for (let i = 0; i < 3; i++) {
          const f = file(type, 50 + i * 31 + type.length);
          await be.save(f.h, f.data);
          names.set(f.h.name, f.data.byteLength);
        }
        saved.set(type, names);
      }
      await be.save({ type: 'config', name: '' }, randomBytes(100));
      for (const type of NON_CONFIG_TYPES) {
        const listed = await listAll(be, type);
        expect(new Map(listed.map((f) => [f.name, f.size])), type).toEqual(saved.get(type));
      }
      expect(await listAll(be, 'config')).toEqual([]);
    });

    it('lists 1,200 data files spread over the 256 subdirectories, each exactly once with its size', async () => {
      const be = await created();
      const want = new Map<string, number>();
      const files = Array.from({ length: 1200 }, (_, i) => file('data', 16 + (i % 64)));
      await forEachLimited(files, Math.max(4, be.connections * 2), async (f) => {
        await be.save(f.h, f.data);
      });
      for (const f of files) want.set(f.h.name, f.data.byteLength);
      const listed = await listAll(be, 'data');
      expect(listed.length).toBe(1200);
      expect(new Map(listed.map((f) => [f.name, f.size]))).toEqual(want);
      expect(new Set(listed.map((f) => f.name.slice(0, 2))).size).toBeGreaterThan(240);
    });

    it('remove deletes a file; removing it again, or a file that never existed, is not an error', async () => {
      const be = await created();
      const keep = file('snapshot', 300);
      const gone = file('snapshot', 301);
      await be.save(keep.h, keep.data);
      await be.save(gone.h, gone.data);
      await be.remove(gone.h);
      await expectKind(be.stat(gone.h), 'not-found');
      await expectKind(be.load(gone.h), 'not-found');
      expect((await listAll(be, 'snapshot')).map((f) => f.name)).toEqual([keep.h.name]);
      await be.remove(gone.h);
      await be.remove(file('data', 7).h);
      expect(equal(await be.load(keep.h), keep.data)).toBe(true);
    });

    it('saves a payload given in parts as their concatenation, in order, for a pack-sized file', async () => {
      const be = await created();
      const parts = [randomBytes(1), new Uint8Array(0), randomBytes(5 * 1024 * 1024 + 3), randomBytes(7), randomBytes(12 * 1024 * 1024)];
      const whole = Buffer.concat(parts);
      const h: Handle = { type: 'data', name: sha256(whole) };
      await be.save(h, parts);
      expect((await be.stat(h)).size).toBe(whole.byteLength);
      expect(equal(await be.load(h), whole)).toBe(true);
      expect(equal(await be.load(h, 9, 5 * 1024 * 1024), whole.subarray(5 * 1024 * 1024, 5 * 1024 * 1024 + 9))).toBe(true);
    });

    it('serves many concurrent ranged loads of one file correctly', async () => {
      const be = await created();
      const f = file('data', 2 * 1024 * 1024);
      await be.save(f.h, f.data);
      const offsets = Array.from({ length: 40 }, (_, i) => i * 50_000 + i);
      const got = await Promise.all(offsets.map((o) => be.load(f.h, 4096, o)));
      offsets.forEach((o, i) => expect(equal(got[i]!, f.data.subarray(o, o + 4096)), `offset ${o}`).toBe(true));
    });

    it('a save cancelled while it is sent leaves no file or the whole file, never part of one', async () => {
      const be = await created();
      const parts = Array.from({ length: 16 }, () => randomBytes(2 * 1024 * 1024));
      const whole = Buffer.concat(parts);
      const h: Handle = { type: 'data', name: sha256(whole) };
      const controller = new AbortController();
      const saving = be.save(h, parts, { signal: controller.signal });
      setTimeout(() => controller.abort(), 5);
      const outcome = await saving.then(
        () => 'saved',
        (e: unknown) => e,
      );
      if (outcome !== 'saved') expect(isAbortError(outcome), String(outcome)).toBe(true);
      // rclone writes in place and deletes a partial file once it sees the upload fail:
      // give the server a moment to settle, then no part of a file may remain.
      const listed = await settledListing(be, h.name, whole.byteLength);
      if (listed.length === 0) {
        await expectKind(be.stat(h), 'not-found');
      } else {
        expect(listed[0]!.size).toBe(whole.byteLength);
        expect(equal(await be.load(h), whole)).toBe(true);
      }
      if (outcome === 'saved') expect(listed.length).toBe(1);
    });

    it('calls with an already-cancelled signal reject as cancelled and change nothing', async () => {
      const be = await created();
      const present = file('index', 500);
      await be.save(present.h, present.data);
      const signal = AbortSignal.abort();
      const absent = file('index', 501);
      await expectAbort(be.save(absent.h, absent.data, { signal }));
      await expectAbort(be.remove(present.h, { signal }));
      await expectAbort(be.load(present.h, 0, 0, { signal }));
      await expectAbort(be.stat(present.h, { signal }));
      await expectAbort(listAll(be, 'index', signal));
      expect((await listAll(be, 'index')).map((f) => f.name)).toEqual([present.h.name]);
    });

    it('a load cancelled while it runs settles at once: cancelled, or complete; the backend keeps working', async () => {
      const be = await created();
      const f = file('data', 24 * 1024 * 1024);
      await be.save(f.h, f.data);
      const controller = new AbortController();
      const loading = be.load(f.h, 0, 0, { signal: controller.signal });
      controller.abort();
      // A local read may finish before it looks at the signal again; a remote one must stop.
      const outcome = await loading.then(
        (data) => data,
        (e: unknown) => e,
      );
      if (outcome instanceof Uint8Array) expect(equal(outcome, f.data)).toBe(true);
      else expect(isAbortError(outcome), String(outcome)).toBe(true);
      expect(equal(await be.load(f.h, 1000, 1), f.data.subarray(1, 1001))).toBe(true);
    });
  });
}

function file(type: FileType, size: number): { h: Handle; data: Buffer } {
  const data = randomBytes(size);
  return { h: { type, name: sha256(data) }, data };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function listAll(be: Backend, type: FileType, signal?: AbortSignal): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const f of be.list(type, { signal })) out.push(f);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Lists `name` until it is absent or whole, for at most 5 s. */
async function settledListing(be: Backend, name: string, size: number): Promise<FileInfo[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const listed = (await listAll(be, 'data')).filter((f) => f.name === name);
    if (listed.length === 0 || listed[0]!.size === size || Date.now() > deadline) return listed;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectKind(p: Promise<unknown>, kind: BackendError['kind']): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected a ${kind} BackendError, but the call succeeded`).toBeInstanceOf(BackendError);
  expect((e as BackendError).kind, (e as Error).message).toBe(kind);
}

/** Cancellation as the engine sees it: its own Aborted error, or the platform's AbortError. */
export function isAbortError(e: unknown): boolean {
  if (e instanceof ChunkvaultError) return e.code === ErrorCode.Aborted;
  const named = e as { name?: unknown; code?: unknown };
  return named?.name === 'AbortError' || named?.code === 'ABORT_ERR';
}

async function expectAbort(p: Promise<unknown>): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected the call to be cancelled, but it succeeded').toBeDefined();
  expect(isAbortError(e), String(e)).toBe(true);
}

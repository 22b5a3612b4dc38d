/**
 * Candidate blob lists for files the parent snapshot cannot offer one for (a moved or
 * renamed file, a new path per run, no matching parent): a map from a file's size and the
 * SHA-256 of its first 64 KiB to the blob list it had when last backed up. A candidate is
 * only a guess: the archiver checks every blob against the file's bytes (file-content.ts)
 * before using it, so a stale or wrong entry costs a read, never wrong data. Recording
 * costs one 64 KiB hash per file, so first backups pay nearly nothing for it.
 *
 * The file is sealed with the repository's master key, like every repository file: blob
 * ids are hashes of plaintext, and a cache restored from a shared store must not tell
 * which contents a backup holds. It is never written into the repository (restic must
 * see a plain restic repository): the shells keep it beside the metadata cache. Files
 * smaller than the chunker's minimum are not recorded: their one blob's id is already the
 * SHA-256 of their content.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { open, seal } from '../crypto/seal.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Id } from '../format/id.ts';

/** The layout's name and version. */
const MAGIC = Buffer.from('cvcache1', 'latin1');
/** How much of a file's start identifies it in the cache. */
export const HEAD_BYTES = 64 * 1024;
const ID_BYTES = 32;
/** head digest, size (float64: exact to 2^53), last generation used, blob count. */
const RECORD_HEAD_BYTES = ID_BYTES + 8 + 4 + 4;
/** An entry unused for this many backups is dropped when the file is saved. */
const KEEP_GENERATIONS = 16;
/** The most entries kept: the newest first. Bounds the file for trees of huge files. */
const MAX_ENTRIES = 500_000;

/** The cache file of a repository in a cache directory laid out as restic's (`<base>/<repository id>/`). */
export function contentCacheFile(cacheBaseDir: string, repositoryId: string): string {
  return path.join(cacheBaseDir, repositoryId, 'content-cache');
}

interface Entry {
  size: number;
  content: Id[];
  lastUsed: number;
}

export interface ContentCacheStats {
  /** Lookups that found a candidate. */
  found: number;
  /** Lookups that found none. */
  missing: number;
  /** Entries written by this run. */
  recorded: number;
}

export class ContentCache {
  /** Keyed by the head digest in hex and the size. */
  readonly #entries = new Map<string, Entry>();
  readonly #generation: number;
  readonly stats: ContentCacheStats = { found: 0, missing: 0, recorded: 0 };

  private constructor(generation: number) {
    this.#generation = generation;
  }

  /** An empty cache (no file yet, or one that could not be used). */
  static empty(): ContentCache {
    return new ContentCache(1);
  }

  /**
   * Reads the cache file. A missing, foreign, damaged or forged file gives an empty cache:
   * losing the cache only costs speed.
   */
  static async load(file: string, key: MasterKey): Promise<ContentCache> {
    let sealed: Buffer;
    try {
      sealed = await fs.readFile(file);
    } catch {
      return ContentCache.empty();
    }
    try {
      return ContentCache.#decode(Buffer.from(open(key, sealed)));
    } catch {
      return ContentCache.empty();
    }
  }

  static #decode(bytes: Buffer): ContentCache {
    if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return ContentCache.empty();
    let at = MAGIC.length;
    const generation = bytes.readUInt32LE(at);
    const count = bytes.readUInt32LE(at + 4);
    at += 8;
    const cache = new ContentCache(generation + 1);
    for (let i = 0; i < count; i++) {
      if (at + RECORD_HEAD_BYTES > bytes.length) return ContentCache.empty();
      const digest = bytes.toString('hex', at, at + ID_BYTES);
      const size = bytes.readDoubleLE(at + ID_BYTES);
      const lastUsed = bytes.readUInt32LE(at + ID_BYTES + 8);
      const blobs = bytes.readUInt32LE(at + ID_BYTES + 12);
      at += RECORD_HEAD_BYTES;
      if (at + blobs * ID_BYTES > bytes.length) return ContentCache.empty();
      const content: Id[] = [];
      for (let b = 0; b < blobs; b++, at += ID_BYTES) content.push(bytes.toString('hex', at, at + ID_BYTES));
      cache.#entries.set(keyOf(digest, size), { size, content, lastUsed });
    }
    return cache;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The blob list last recorded for a file of this size and head, unchecked. */
  lookup(head: Buffer, size: number): readonly Id[] | undefined {
    const entry = this.#entries.get(keyOf(head.toString('hex'), size));
    if (entry && entry.size === size) {
      entry.lastUsed = this.#generation;
      this.stats.found++;
      return entry.content;
    }
    this.stats.missing++;
    return undefined;
  }

  /** Records a file's blob list after it was backed up. */
  record(head: Buffer, size: number, content: readonly Id[]): void {
    this.#entries.set(keyOf(head.toString('hex'), size), { size, content: [...content], lastUsed: this.#generation });
    this.stats.recorded++;
  }

  /**
   * Writes the cache atomically (a temporary file renamed over the old one), keeping the
   * entries used in the last KEEP_GENERATIONS backups, newest first.
   */
  async save(file: string, key: MasterKey): Promise<void> {
    const kept = [...this.#entries].filter(([, e]) => this.#generation - e.lastUsed < KEEP_GENERATIONS);
    kept.sort(([, a], [, b]) => b.lastUsed - a.lastUsed);
    kept.length = Math.min(kept.length, MAX_ENTRIES);
    let total = MAGIC.length + 8;
    for (const [, e] of kept) total += RECORD_HEAD_BYTES + e.content.length * ID_BYTES;
    const out = Buffer.allocUnsafe(total);
    MAGIC.copy(out, 0);
    let at = MAGIC.length;
    out.writeUInt32LE(this.#generation, at);
    out.writeUInt32LE(kept.length, at + 4);
    at += 8;
    for (const [key, e] of kept) {
      at += out.write(key.slice(0, ID_BYTES * 2), at, 'hex');
      out.writeDoubleLE(e.size, at);
      out.writeUInt32LE(e.lastUsed, at + 8);
      out.writeUInt32LE(e.content.length, at + 12);
      at += 16;
      for (const id of e.content) at += out.write(id, at, 'hex');
    }
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temporary, seal(key, out), { mode: 0o600 });
      await fs.rename(temporary, file);
    } catch (e) {
      await fs.rm(temporary, { force: true });
      throw e;
    }
  }
}

function keyOf(headHex: string, size: number): string {
  return `${headHex}:${size}`;
}

/** The cache key's digest: SHA-256 of a file's first HEAD_BYTES (the bytes given). */
export function headDigest(head: Uint8Array): Buffer {
  return createHash('sha256').update(head).digest();
}

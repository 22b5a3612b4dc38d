/**
 * Recognises a file whose content was backed up before without chunking it again: a map
 * from a whole-file SHA-256 and size to the file's blob list. CI checks out every file
 * anew (new mtime and inode), so restic's parent match misses and it reads, chunks and
 * hashes everything; with this map a known file costs one read and one hash.
 *
 * Safety. SHA-256 is cryptographic: two different contents with one digest would store
 * the wrong data, and no such pair is known. A blob list is used only when every blob is
 * in the index and their plaintext lengths add up to the size (`validate`, called by the
 * archiver), so a stale entry after a prune is ignored, not trusted. The file is sealed
 * with the repository's master key, like every repository file: a cache restored from a
 * shared store neither leaks which contents a backup holds nor can be forged.
 *
 * It is never written into the repository (restic must see a plain restic repository):
 * the shells keep it beside the metadata cache. Files smaller than the chunker's minimum
 * are not recorded: their one blob's id is already the SHA-256 of their content.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { open, seal } from '../crypto/seal.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Id } from '../format/id.ts';
import { plaintextLength, type MasterIndex } from '../repository/master-index.ts';

/** "cvdigest" and the layout's version. */
const MAGIC = Buffer.from('cvdigst1', 'latin1');
const ID_BYTES = 32;
/** digest, size (float64: exact to 2^53), last generation used, blob count. */
const RECORD_HEAD_BYTES = ID_BYTES + 8 + 4 + 4;
/** An entry unused for this many backups is dropped when the file is saved. */
const KEEP_GENERATIONS = 16;
/** The most entries kept: the newest first. Bounds the file for trees of huge files. */
const MAX_ENTRIES = 500_000;

/** The cache file of a repository in a cache directory laid out as restic's (`<base>/<repository id>/`). */
export function contentDigestFile(cacheBaseDir: string, repositoryId: string): string {
  return path.join(cacheBaseDir, repositoryId, 'content-digests');
}

interface Entry {
  size: number;
  content: Id[];
  lastUsed: number;
}

export interface ContentDigestStats {
  /** Files whose blob list came from the cache. */
  hits: number;
  /** Files hashed for a lookup that found nothing usable (they were then chunked). */
  misses: number;
  /** Entries written by this run. */
  recorded: number;
}

export class ContentDigestCache {
  /** Keyed by the digest in hex. */
  readonly #entries = new Map<string, Entry>();
  /** How many entries have each size: a file of a size no entry has is not worth a lookup. */
  readonly #sizes = new Map<number, number>();
  readonly #generation: number;
  readonly stats: ContentDigestStats = { hits: 0, misses: 0, recorded: 0 };

  private constructor(generation: number) {
    this.#generation = generation;
  }

  /** An empty cache (no file yet, or one that could not be used). */
  static empty(): ContentDigestCache {
    return new ContentDigestCache(1);
  }

  /**
   * Reads the cache file. A missing, foreign, damaged or forged file gives an empty cache:
   * losing the cache only costs speed.
   */
  static async load(file: string, key: MasterKey): Promise<ContentDigestCache> {
    let sealed: Buffer;
    try {
      sealed = await fs.readFile(file);
    } catch {
      return ContentDigestCache.empty();
    }
    try {
      return ContentDigestCache.#decode(Buffer.from(open(key, sealed)));
    } catch {
      return ContentDigestCache.empty();
    }
  }

  static #decode(bytes: Buffer): ContentDigestCache {
    if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return ContentDigestCache.empty();
    let at = MAGIC.length;
    const generation = bytes.readUInt32LE(at);
    const count = bytes.readUInt32LE(at + 4);
    at += 8;
    const cache = new ContentDigestCache(generation + 1);
    for (let i = 0; i < count; i++) {
      if (at + RECORD_HEAD_BYTES > bytes.length) return ContentDigestCache.empty();
      const digest = bytes.toString('hex', at, at + ID_BYTES);
      const size = bytes.readDoubleLE(at + ID_BYTES);
      const lastUsed = bytes.readUInt32LE(at + ID_BYTES + 8);
      const blobs = bytes.readUInt32LE(at + ID_BYTES + 12);
      at += RECORD_HEAD_BYTES;
      if (at + blobs * ID_BYTES > bytes.length) return ContentDigestCache.empty();
      const content: Id[] = [];
      for (let b = 0; b < blobs; b++, at += ID_BYTES) content.push(bytes.toString('hex', at, at + ID_BYTES));
      cache.#put(digest, { size, content, lastUsed });
    }
    return cache;
  }

  #put(digest: string, entry: Entry): void {
    const old = this.#entries.get(digest);
    if (old) this.#forgetSize(old.size);
    this.#entries.set(digest, entry);
    this.#sizes.set(entry.size, (this.#sizes.get(entry.size) ?? 0) + 1);
  }

  #forgetSize(size: number): void {
    const n = (this.#sizes.get(size) ?? 1) - 1;
    if (n > 0) this.#sizes.set(size, n);
    else this.#sizes.delete(size);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether any entry has this size: only then is hashing a file before chunking it worth it. */
  hasSize(size: number): boolean {
    return this.#sizes.has(size);
  }

  /**
   * The blob list recorded for this digest and size, if every blob is in `index` and
   * their lengths add up to `size`; undefined otherwise (the caller chunks the file).
   */
  lookup(digest: Buffer, size: number, index: MasterIndex): Id[] | undefined {
    const key = digest.toString('hex');
    const entry = this.#entries.get(key);
    if (entry && entry.size === size && isComplete(entry.content, size, index)) {
      entry.lastUsed = this.#generation;
      this.stats.hits++;
      return entry.content;
    }
    this.stats.misses++;
    return undefined;
  }

  /** Records a file's blob list after it was chunked. */
  record(digest: Buffer, size: number, content: readonly Id[]): void {
    this.#put(digest.toString('hex'), { size, content: [...content], lastUsed: this.#generation });
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
    for (const [digest, e] of kept) {
      at += out.write(digest, at, 'hex');
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

function isComplete(content: readonly Id[], size: number, index: MasterIndex): boolean {
  let total = 0;
  for (const id of content) {
    const loc = index.lookup('data', id);
    if (!loc) return false;
    total += plaintextLength(loc);
  }
  return total === size;
}

/** A whole-file digest, fed block by block as the file is read. */
export function newContentDigest(): { update(block: Uint8Array): void; digest(): Buffer } {
  const hash = createHash('sha256');
  return {
    update: (block) => void hash.update(block),
    digest: () => hash.digest(),
  };
}

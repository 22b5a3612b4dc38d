/**
 * A local cache of a repository's index and snapshot files, in restic's cache layout:
 * `<base>/CACHEDIR.TAG`, `<base>/<repository id>/version` and
 * `<base>/<repository id>/{index,snapshots}/<2 hex>/<id>`, each file the stored
 * (encrypted) bytes. These files never change once written and are named by the SHA-256
 * of their content, so a cached file is valid exactly when its content still hashes to
 * its name: that is checked on every read, and a file that fails is dropped and fetched
 * again.
 *
 * The repository id is known only once the config is decrypted, so the cache starts
 * passing calls through and caches from `attach(id)` on. Files deleted from the
 * repository leave the cache when a complete listing no longer shows them (and on remove
 * or a stat that finds nothing), as restic clears its cache.
 */
import { BackendDecorator, concatBytes, idOf, isId, isNotFound, payloadParts, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../../engine/index.ts';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** restic's cache directories for the file types it caches (tree packs aside). */
const CACHED_DIRS: Partial<Record<FileType, string>> = { index: 'index', snapshot: 'snapshots' };
const CACHE_VERSION = '1';
/** The standard tag (bford.info/cachedir) that tells backup tools to skip the directory. */
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by chunkvault.\n';

export interface MetadataCacheStats {
  /** Loads answered from the cache. */
  hits: number;
  /** Loads of cacheable files fetched from the repository. */
  misses: number;
  /** Cached files that failed their hash check and were fetched again. */
  invalid: number;
  /** Files written to the cache (fetched, or saved by this process). */
  stored: number;
  /** Files dropped because the repository no longer has them. */
  evicted: number;
}

export class MetadataCacheBackend extends BackendDecorator {
  readonly #baseDir: string;
  #dir: string | undefined;
  /** Loads of cacheable files under way, so that concurrent loads share one download. */
  readonly #inFlight = new Map<string, Promise<Uint8Array>>();
  readonly stats: MetadataCacheStats = { hits: 0, misses: 0, invalid: 0, stored: 0, evicted: 0 };

  constructor(inner: Backend, baseDir: string) {
    super(inner);
    this.#baseDir = path.resolve(baseDir);
  }

  /** The cache's base directory, absolute: it holds one directory per repository id. */
  get baseDir(): string {
    return this.#baseDir;
  }

  /** `<base>/<repository id>` once attached. */
  get directory(): string | undefined {
    return this.#dir;
  }

  /** Starts caching for the repository with this id (its config's id, 64 hex). */
  async attach(repositoryId: string): Promise<void> {
    if (!isId(repositoryId)) throw new TypeError(`not a repository id: ${repositoryId}`);
    const dir = path.join(this.#baseDir, repositoryId);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(this.#baseDir, 'CACHEDIR.TAG'), CACHEDIR_TAG, { flag: 'wx', mode: 0o644 }).catch(ignoreExists);
    await fs.writeFile(path.join(dir, 'version'), CACHE_VERSION, { mode: 0o644 });
    for (const sub of Object.values(CACHED_DIRS)) await fs.mkdir(path.join(dir, sub), { recursive: true, mode: 0o700 });
    // The directory's time says when the cache was last used, as restic's does.
    const now = new Date();
    await fs.utimes(dir, now, now);
    this.#dir = dir;
  }

  /** Names of the cached files of a type, sorted. */
  async cachedNames(type: FileType): Promise<string[]> {
    const dir = this.#typeDir(type);
    if (!dir) return [];
    const names: string[] = [];
    for (const sub of await readdirOrEmpty(dir)) {
      for (const name of await readdirOrEmpty(path.join(dir, sub))) if (isId(name)) names.push(name);
    }
    return names.sort();
  }

  create(opts?: CallOptions): Promise<void> {
    return this.inner.create(opts);
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    await this.inner.save(h, data, opts);
    // What this process writes, the next run need not download.
    if (this.#cacheable(h)) await this.#store(h, concatBytes(payloadParts(data)));
  }

  async load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    if (!this.#cacheable(h)) return this.inner.load(h, length, offset, opts);
    const key = `${h.type}/${h.name}`;
    let whole = this.#inFlight.get(key);
    if (!whole) {
      whole = this.#loadWhole(h, opts).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, whole);
    }
    const content = await whole;
    return length === 0 && offset === 0 ? content : content.subarray(offset, length > 0 ? offset + length : undefined);
  }

  async stat(h: Handle, opts?: CallOptions): Promise<FileInfo> {
    try {
      return await this.inner.stat(h, opts);
    } catch (e) {
      if (isNotFound(e) && this.#cacheable(h)) await this.#drop(h);
      throw e;
    }
  }

  /** Passes the listing through; once it is complete, drops cached files it did not show. */
  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    const present = new Set<string>();
    for await (const f of this.inner.list(type, opts)) {
      present.add(f.name);
      yield f;
    }
    if (!this.#typeDir(type)) return;
    for (const name of await this.cachedNames(type)) {
      if (!present.has(name)) {
        await this.#drop({ type, name });
        this.stats.evicted++;
      }
    }
  }

  async remove(h: Handle, opts?: CallOptions): Promise<void> {
    await this.inner.remove(h, opts);
    if (this.#cacheable(h)) await this.#drop(h);
  }

  async #loadWhole(h: Handle, opts?: CallOptions): Promise<Uint8Array> {
    const file = this.#pathOf(h)!;
    const cached = await readFileOrUndefined(file);
    if (cached) {
      if (idOf(cached) === h.name) {
        this.stats.hits++;
        return cached;
      }
      // Damaged on disk or by a broken cache restore: fetch it again.
      this.stats.invalid++;
      await this.#drop(h);
    }
    this.stats.misses++;
    const content = await this.inner.load(h, 0, 0, opts);
    // Only what hashes to its name is kept; the repository reports anything else itself.
    if (idOf(content) === h.name) await this.#store(h, content);
    return content;
  }

  /** Writes a file into the cache: a temporary name, then a rename, so readers see all or nothing. */
  async #store(h: Handle, content: Uint8Array): Promise<void> {
    const file = this.#pathOf(h)!;
    const temp = `${file}-tmp-${randomBytes(6).toString('hex')}`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.writeFile(temp, content, { mode: 0o600 });
      await fs.rename(temp, file);
      this.stats.stored++;
    } catch {
      // A cache that cannot be written only costs a download next time.
      await fs.rm(temp, { force: true }).catch(() => {});
    }
  }

  async #drop(h: Handle): Promise<void> {
    const file = this.#pathOf(h);
    if (file) await fs.rm(file, { force: true }).catch(() => {});
  }

  #cacheable(h: Handle): boolean {
    return this.#dir !== undefined && CACHED_DIRS[h.type] !== undefined && isId(h.name);
  }

  #typeDir(type: FileType): string | undefined {
    const sub = CACHED_DIRS[type];
    return this.#dir && sub ? path.join(this.#dir, sub) : undefined;
  }

  #pathOf(h: Handle): string | undefined {
    const dir = this.#typeDir(h.type);
    return dir && isId(h.name) ? path.join(dir, h.name.slice(0, 2), h.name) : undefined;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT' || (e as { code?: unknown }).code === 'ENOTDIR') return [];
    throw e;
  }
}

async function readFileOrUndefined(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch {
    return undefined;
  }
}

function ignoreExists(e: unknown): void {
  if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
}

/**
 * An open repository: the backend, the master key, the config and the blob index.
 * Everything that reads or writes encrypted files goes through here.
 */
import * as os from 'node:os';
import type { Backend, CallOptions, FileType } from '../storage/backend.ts';
import { exists, isNotFound } from '../storage/errors.ts';
import { randomPolynomial } from '../chunker/index.ts';
import type { CompressionMode } from '../compress/zstd.ts';
import { openBlob, openBlobAsync } from '../blob-codec/blob-codec.ts';
import {
  calibrateKdf,
  createKeyFile,
  generateMasterKey,
  initCrypto,
  open as openSealed,
  openKeyFile,
  seal,
  type KdfParams,
  type MasterKey,
} from '../crypto/index.ts';
import { ChunkvaultError, ErrorCode, errorMessage, integrityError, throwIfAborted } from '../errors.ts';
import {
  parseConfig,
  parseIndex,
  parseSnapshot,
  parseTree,
  serializeConfig,
  type RepoConfig,
  type Snapshot,
  type TreeNode,
} from '../format/index.ts';
import { idOf, isId, type Id } from '../format/id.ts';
import { toHex } from '../support/bytes.ts';
import { randomBytes } from 'node:crypto';
import { forEachLimited } from '../support/concurrency.ts';
import { currentUser } from './current-user.ts';
import { MasterIndex, type BlobLocation, type BlobType } from './master-index.ts';
import { decodeUnpacked, encodeUnpacked } from './unpacked.ts';

export interface InitOptions extends CallOptions {
  /** Key derivation parameters; calibrated like restic's when absent. */
  kdf?: KdfParams;
  /** Repository format version: 2 (zstd, the default) or 1. */
  version?: 1 | 2;
  /** Chunker polynomial; random when absent (tests pass a fixed one). */
  chunkerPolynomial?: bigint;
  username?: string;
  hostname?: string;
}

export interface OpenOptions extends CallOptions {
  /** Compression for what this process writes. */
  compression?: CompressionMode;
}

export interface SnapshotListOptions extends CallOptions {
  /** Takes a snapshot file that cannot be loaded or decoded, instead of failing the listing. */
  onUnreadable?: (id: Id, error: unknown) => void;
}

export interface SnapshotEntry {
  readonly id: Id;
  readonly snapshot: Snapshot;
}

const VERIFIED_TYPES: ReadonlySet<FileType> = new Set(['index', 'snapshot', 'lock']);

export class Repository {
  readonly backend: Backend;
  readonly key: MasterKey;
  readonly config: RepoConfig;
  readonly index = new MasterIndex();
  compression: CompressionMode;
  /** The key file this process opened the repository with (restic's current key). */
  #keyId: Id;

  private constructor(backend: Backend, key: MasterKey, config: RepoConfig, compression: CompressionMode, keyId: Id) {
    this.backend = backend;
    this.key = key;
    this.config = config;
    this.compression = compression;
    this.#keyId = keyId;
  }

  /** The id of the key file in use: `key list` marks it, `key remove` refuses it. */
  get keyId(): Id {
    return this.#keyId;
  }

  /**
   * Makes another key file of the same master key the one in use (after `key passwd` or
   * `key add`, as restic switches); the caller has checked that it opens the master key.
   */
  useKey(keyId: Id): void {
    this.#keyId = keyId;
  }

  get id(): string {
    return this.config.id;
  }

  get version(): number {
    return this.config.version;
  }

  /** Whether this repository can hold compressed blobs and compression is on for data. */
  get compressesData(): boolean {
    return this.version >= 2 && this.compression !== 'off';
  }

  /** Creates a new repository: structure, master key, key file, config. */
  static async init(backend: Backend, password: string, opts: InitOptions = {}): Promise<Repository> {
    await initCrypto();
    if (await exists(backend, { type: 'config', name: '' }, opts)) {
      throw new ChunkvaultError(ErrorCode.RepositoryExists, `${backend.location}: a repository already exists there`);
    }
    await backend.create(opts);
    const master = generateMasterKey();
    const kdf = opts.kdf ?? (await calibrateKdf());
    const keyFile = await createKeyFile(
      master,
      password,
      { username: opts.username ?? currentUser().username, hostname: opts.hostname ?? os.hostname() },
      kdf,
    );
    const keyId = idOf(keyFile);
    await backend.save({ type: 'key', name: keyId }, keyFile, opts);
    const config: RepoConfig = {
      version: opts.version ?? 2,
      id: toHex(randomBytes(32)),
      chunkerPolynomial: opts.chunkerPolynomial ?? randomPolynomial(),
    };
    await backend.save({ type: 'config', name: '' }, seal(master, serializeConfig(config)), opts);
    return new Repository(backend, master, config, 'auto', keyId);
  }

  /** Opens a repository with a password: tries every key file, as restic does. */
  static async open(backend: Backend, password: string, opts: OpenOptions = {}): Promise<Repository> {
    await initCrypto();
    let sealedConfig: Uint8Array;
    try {
      sealedConfig = await backend.load({ type: 'config', name: '' }, 0, 0, opts);
    } catch (e) {
      if (isNotFound(e)) {
        throw new ChunkvaultError(
          ErrorCode.RepositoryNotFound,
          `no repository at ${backend.location} (it has no config file)`,
          { cause: e },
        );
      }
      throw e;
    }
    let master: MasterKey | undefined;
    let keyId: Id | undefined;
    let tried = 0;
    for await (const key of backend.list('key', opts)) {
      tried++;
      const keyFile = await backend.load({ type: 'key', name: key.name }, 0, 0, opts);
      master = await openKeyFile(keyFile, password);
      if (master) {
        keyId = key.name;
        break;
      }
    }
    if (!master || keyId === undefined) {
      throw new ChunkvaultError(
        ErrorCode.WrongPassword,
        tried === 0
          ? `${backend.location}: the repository has no key files`
          : `wrong password: none of the ${tried} key file(s) in ${backend.location} opens with it`,
      );
    }
    let config: RepoConfig;
    try {
      config = parseConfig(openSealed(master, sealedConfig));
    } catch (e) {
      throw integrityError(`${backend.location}: the config file cannot be read: ${(e as Error).message}`, e);
    }
    return new Repository(backend, master, config, opts.compression ?? 'auto', keyId);
  }

  /** Loads, verifies and decrypts an unpacked file (index, snapshot, lock), returning its JSON. */
  async loadUnpacked(type: FileType, id: Id, opts?: CallOptions): Promise<Uint8Array> {
    const sealed = await this.backend.load({ type, name: id }, 0, 0, opts);
    if (VERIFIED_TYPES.has(type) && idOf(sealed) !== id) {
      throw integrityError(`${type} file ${id}: content does not match its name (invalid data returned)`);
    }
    return decodeUnpacked(openSealed(this.key, sealed), this.version);
  }

  /** Encodes, encrypts and stores an unpacked file; returns its id and stored size. */
  async saveUnpacked(type: FileType, json: Uint8Array, opts?: CallOptions): Promise<{ id: Id; size: number }> {
    const sealed = seal(this.key, encodeUnpacked(json, this.version, this.compression));
    const id = idOf(sealed);
    await this.backend.save({ type, name: id }, sealed, opts);
    return { id, size: sealed.byteLength };
  }

  /** Loads every index file into the master index. */
  async loadIndex(opts?: CallOptions): Promise<void> {
    const ids: Id[] = [];
    for await (const f of this.backend.list('index', opts)) if (!this.index.indexFiles.has(f.name)) ids.push(f.name);
    await forEachLimited(ids, this.backend.connections * 2, async (id) => {
      throwIfAborted(opts?.signal);
      const file = parseIndex(await this.loadUnpacked('index', id, opts));
      this.index.addIndexFile(id, file);
    });
  }

  /** Loads one blob, checking MAC, length and SHA-256. */
  async loadBlob(type: BlobType, id: Id, opts?: CallOptions): Promise<Uint8Array> {
    const { loc, sealed } = await this.#loadSealed(type, id, opts);
    return this.decodeBlob(id, loc, sealed);
  }

  /** A blob's sealed bytes, read from its pack at the place the index gives. */
  async #loadSealed(type: BlobType, id: Id, opts?: CallOptions): Promise<{ loc: BlobLocation; sealed: Uint8Array }> {
    const loc = this.index.lookup(type, id);
    if (!loc) throw integrityError(`${type} blob ${id} is not in the index`);
    return { loc, sealed: await this.backend.load({ type: 'data', name: loc.packId }, loc.length, loc.offset, opts) };
  }

  /** Decrypts, decompresses and verifies a blob read from its pack. */
  async decodeBlob(id: Id, loc: BlobLocation, sealed: Uint8Array): Promise<Uint8Array> {
    try {
      return await openBlobAsync(this.key, sealed, { id, uncompressedLength: loc.uncompressedLength });
    } catch (e) {
      throw blobError(id, loc, e);
    }
  }

  async loadTree(id: Id, opts?: CallOptions): Promise<TreeNode[]> {
    const { loc, sealed } = await this.#loadSealed('tree', id, opts);
    return this.decodeTree(id, loc, sealed);
  }

  /**
   * Opens and parses a tree read from its pack, on this thread: trees are small, and a
   * trip through libuv's pool per tree cost more than the decompression itself.
   */
  decodeTree(id: Id, loc: BlobLocation, sealed: Uint8Array): TreeNode[] {
    let plain: Uint8Array;
    try {
      plain = openBlob(this.key, sealed, { id, uncompressedLength: loc.uncompressedLength });
    } catch (e) {
      throw blobError(id, loc, e);
    }
    return parseTree(plain);
  }

  /**
   * Every snapshot in the repository, oldest first. An unreadable snapshot file throws,
   * unless `onUnreadable` takes it (listings go on without it, as restic's do; prune must not).
   */
  async listSnapshots(opts?: SnapshotListOptions): Promise<SnapshotEntry[]> {
    const out = await this.loadSnapshotFiles((id, json) => ({ id, snapshot: parseSnapshot(json) }), opts);
    return out.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id.localeCompare(b.id)));
  }

  /** Every snapshot file, decrypted and decoded by `decode`, in no particular order. */
  async loadSnapshotFiles<T>(decode: (id: Id, json: Uint8Array) => T, opts?: SnapshotListOptions): Promise<T[]> {
    const ids: Id[] = [];
    for await (const f of this.backend.list('snapshot', opts)) ids.push(f.name);
    const out: T[] = [];
    await forEachLimited(ids, this.backend.connections * 2, async (id) => {
      try {
        out.push(decode(id, await this.loadUnpacked('snapshot', id, opts)));
      } catch (e) {
        if (!opts?.onUnreadable || opts.signal?.aborted) throw e;
        opts.onUnreadable(id, e);
      }
    });
    return out;
  }

  /** Resolves a full id or a unique prefix of one. */
  async resolveId(type: FileType, prefix: string, opts?: CallOptions): Promise<Id> {
    if (isId(prefix)) return prefix;
    if (!/^[0-9a-f]+$/.test(prefix)) throw new ChunkvaultError(ErrorCode.InvalidInput, `'${prefix}' is not a hex id`);
    const matches: Id[] = [];
    for await (const f of this.backend.list(type, opts)) if (f.name.startsWith(prefix)) matches.push(f.name);
    if (matches.length === 1) return matches[0]!;
    throw new ChunkvaultError(
      ErrorCode.InvalidInput,
      matches.length === 0 ? `no ${type} matches '${prefix}'` : `'${prefix}' is ambiguous: ${matches.length} ${type} files match`,
    );
  }
}

/** A blob that failed to open, named with its pack. */
function blobError(id: Id, loc: BlobLocation, e: unknown): Error {
  return integrityError(`${loc.type} blob ${id} in pack ${loc.packId}: ${errorMessage(e)}`, e);
}

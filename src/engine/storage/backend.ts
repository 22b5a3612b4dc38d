/**
 * The storage contract every backend implements: whole-file save, ranged load, stat,
 * list and remove of immutable files addressed by (type, name). Backends know nothing
 * about encryption or the repository format beyond the layout of names.
 */

/** restic's file types. Pack files are called `data`, as restic and rustic do. */
export type FileType = 'config' | 'key' | 'data' | 'index' | 'snapshot' | 'lock';

export const FILE_TYPES: readonly FileType[] = ['config', 'key', 'data', 'index', 'snapshot', 'lock'];

export interface Handle {
  readonly type: FileType;
  /** A 64-hex id, or '' for the config file. */
  readonly name: string;
}

/** File content: one buffer, or parts to be written one after another. */
export type Payload = Uint8Array | readonly Uint8Array[];

export function payloadParts(p: Payload): readonly Uint8Array[] {
  return p instanceof Uint8Array ? [p] : p;
}

export interface FileInfo {
  readonly name: string;
  readonly size: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Backend {
  /** A human-readable location with credentials removed, for logs and errors. */
  readonly location: string;
  /** How many requests are worth running at once. */
  readonly connections: number;
  /** The directory holding the repository, when it is on this machine's file system. */
  readonly localRoot?: string;

  /** Create the empty repository structure. Fails if a config already exists. */
  create(opts?: CallOptions): Promise<void>;
  /**
   * Store a file durably and atomically: readers never see a partial file. The content
   * may come in parts (a pack's blobs), written in order without being joined first.
   */
  save(h: Handle, data: Payload, opts?: CallOptions): Promise<void>;
  /**
   * Read `length` bytes at `offset` (length 0: to the end). Throws a not-found
   * BackendError when the file does not exist.
   */
  load(h: Handle, length?: number, offset?: number, opts?: CallOptions): Promise<Uint8Array>;
  /** Size of a file; not-found BackendError when it does not exist. */
  stat(h: Handle, opts?: CallOptions): Promise<FileInfo>;
  /** Every file of a type whose name is a valid id, with sizes. */
  list(type: FileType, opts?: CallOptions): AsyncIterable<FileInfo>;
  /** Delete a file; deleting a missing file is not an error. */
  remove(h: Handle, opts?: CallOptions): Promise<void>;
  /** Release connections and the like. */
  close(): Promise<void>;
}

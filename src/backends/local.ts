/**
 * A repository in a local directory, in restic's layout and file modes. Writes are atomic
 * and durable: temp file in the target directory, fsync, rename, fsync of the directory,
 * then chmod 0400, as restic does, so a crash never leaves a partial file under a valid name.
 */
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BackendError, DIR_OF, isId, payloadParts, relativePath, repositoryDirectories, type Backend, type CallOptions, type FileInfo, type FileType, type Handle, type Payload } from '../engine/index.ts';

const DIR_MODE = 0o700;
const FILE_MODE = 0o400;

export class LocalBackend implements Backend {
  readonly location: string;
  readonly connections = 2;
  readonly localRoot: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.location = this.#root;
    this.localRoot = this.#root;
  }

  async create(): Promise<void> {
    try {
      await fs.access(path.join(this.#root, 'config'));
      throw new BackendError('permanent', `${this.location}: a repository already exists here (config found)`);
    } catch (e) {
      if (e instanceof BackendError) throw e;
    }
    await fs.mkdir(this.#root, { recursive: true, mode: DIR_MODE });
    for (const dir of repositoryDirectories()) {
      await fs.mkdir(path.join(this.#root, dir), { recursive: true, mode: DIR_MODE });
    }
  }

  async save(h: Handle, data: Payload, opts?: CallOptions): Promise<void> {
    opts?.signal?.throwIfAborted();
    const target = this.#pathOf(h);
    const dir = path.dirname(target);
    const temp = `${target}-tmp-${randomBytes(6).toString('hex')}`;
    let fh: fs.FileHandle | undefined;
    try {
      try {
        fh = await fs.open(temp, 'wx', 0o600);
      } catch (e) {
        if (!hasCode(e, 'ENOENT')) throw e;
        // The data/xx directories may be missing in a repository created by another tool.
        await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
        fh = await fs.open(temp, 'wx', 0o600);
      }
      await fh.writev(payloadParts(data) as Uint8Array[]);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fs.rename(temp, target);
      await syncDirectory(dir);
      await fs.chmod(target, FILE_MODE);
    } catch (e) {
      await fh?.close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
      throw this.#wrap(e, 'save', h);
    }
  }

  async load(h: Handle, length = 0, offset = 0, opts?: CallOptions): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    let fh: fs.FileHandle | undefined;
    try {
      fh = await fs.open(this.#pathOf(h), fsConstants.O_RDONLY);
      if (length === 0) {
        const { size } = await fh.stat();
        length = Math.max(0, size - offset);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done !== length) {
        throw new BackendError('permanent', `${relativePath(h)}: short read, wanted ${length} bytes at ${offset}, got ${done}`);
      }
      return out;
    } catch (e) {
      throw this.#wrap(e, 'load', h);
    } finally {
      await fh?.close();
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    try {
      const st = await fs.stat(this.#pathOf(h));
      return { name: h.name, size: st.size };
    } catch (e) {
      throw this.#wrap(e, 'stat', h);
    }
  }

  async *list(type: FileType, opts?: CallOptions): AsyncGenerator<FileInfo> {
    if (type === 'config') return;
    const base = path.join(this.#root, DIR_OF[type]);
    const dirs = type === 'data' ? await subdirectories(base) : [base];
    for (const dir of dirs) {
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch (e) {
        if (hasCode(e, 'ENOENT')) continue;
        throw this.#wrap(e, 'list', { type, name: '' });
      }
      for (const name of names.sort()) {
        opts?.signal?.throwIfAborted();
        if (!isId(name)) continue; // temp files and strays, as restic ignores them
        try {
          const st = await fs.stat(path.join(dir, name));
          yield { name, size: st.size };
        } catch (e) {
          if (!hasCode(e, 'ENOENT')) throw this.#wrap(e, 'list', { type, name });
        }
      }
    }
  }

  async remove(h: Handle): Promise<void> {
    try {
      await fs.rm(this.#pathOf(h), { force: true });
    } catch (e) {
      throw this.#wrap(e, 'remove', h);
    }
  }

  async close(): Promise<void> {}

  #pathOf(h: Handle): string {
    return path.join(this.#root, ...relativePath(h).split('/'));
  }

  #wrap(e: unknown, op: string, h: Handle): BackendError {
    if (e instanceof BackendError) return e;
    const where = `${this.location}/${relativePath(h)}`;
    if (hasCode(e, 'ENOENT')) return new BackendError('not-found', `${op} ${where}: does not exist`, { cause: e });
    const message = e instanceof Error ? e.message : String(e);
    if (hasCode(e, 'EACCES') || hasCode(e, 'EPERM') || hasCode(e, 'EROFS')) {
      const refusal = hasCode(e, 'EROFS') ? 'read-only file system' : 'permission denied';
      return new BackendError('denied', `${op} ${where}: ${refusal} (the repository is read-only to this user)`, { cause: e });
    }
    const transient = hasCode(e, 'EAGAIN') || hasCode(e, 'EMFILE') || hasCode(e, 'ENFILE') || hasCode(e, 'EBUSY');
    return new BackendError(transient ? 'transient' : 'permanent', `${op} ${where}: ${message}`, { cause: e });
  }
}

function hasCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

async function subdirectories(base: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(base, { withFileTypes: true });
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return [];
    throw e;
  }
  return entries
    .filter((d) => d.isDirectory())
    .map((d) => path.join(base, d.name))
    .sort();
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } catch (e) {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
    if (!hasCode(e, 'EINVAL') && !hasCode(e, 'EPERM')) throw e;
  } finally {
    await fh.close();
  }
}

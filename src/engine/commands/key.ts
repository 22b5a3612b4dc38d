/**
 * Key management, restic 0.14's `key list|add|remove|passwd`. A key file seals the one
 * master key under a password, so passwords change without re-encrypting anything: a new
 * key file is written for the new password, checked, and only then is the old one
 * removed. The key in use (the one that opened the repository) is never removed, which
 * also keeps the last key.
 */
import * as os from 'node:os';
import { calibrateKdf, createKeyFile, encodeMasterKey, openKeyFile, readKeyFileInfo, type KdfParams } from '../crypto/index.ts';
import { ChunkvaultError, ErrorCode, errorMessage, invalidInput, throwIfAborted } from '../errors.ts';
import { idOf, type Id } from '../format/id.ts';
import type { OperationOptions } from '../operation.ts';
import { currentUser } from '../repository/current-user.ts';
import { withLock } from '../repository/lock.ts';
import type { Repository } from '../repository/repository.ts';
import { equalBytes } from '../support/bytes.ts';

type KeyLockOptions = Pick<OperationOptions, 'signal' | 'lockWaitMs' | 'onLockRefreshError'>;

export interface KeyInfo {
  /** The key file's id (its name under keys/). */
  id: Id;
  /** Whether this key opened the repository in this process (restic's `*`). */
  current: boolean;
  username: string;
  hostname: string;
  /** As the key file has it (RFC 3339). */
  created: string;
}

/** Every key file, as restic lists them (under a shared lock); unreadable ones go to `onUnreadable`. */
export async function listKeys(repo: Repository, opts: KeyLockOptions & { onUnreadable?: (id: Id, e: unknown) => void } = {}): Promise<KeyInfo[]> {
  return withLock(repo, lockOptions(opts, false), async () => {
    const keys: KeyInfo[] = [];
    for await (const f of repo.backend.list('key', { signal: opts.signal })) {
      try {
        const info = readKeyFileInfo(await repo.backend.load({ type: 'key', name: f.name }, 0, 0, { signal: opts.signal }));
        keys.push({ id: f.name, current: f.name === repo.keyId, ...info });
      } catch (e) {
        throwIfAborted(opts.signal);
        opts.onUnreadable?.(f.name, e);
      }
    }
    return keys;
  });
}

export interface AddKeyOptions extends KeyLockOptions {
  /** Recorded in the key file. @default the current user */
  username?: string;
  /** Recorded in the key file. @default this host's name */
  hostname?: string;
  /** scrypt parameters. @default calibrated as restic does */
  kdf?: KdfParams;
}

/** Adds a key file for `newPassword` (shared lock, as restic); returns its id. */
export async function addKey(repo: Repository, newPassword: string, opts: AddKeyOptions = {}): Promise<Id> {
  checkNewPassword(newPassword);
  return withLock(repo, lockOptions(opts, false), () => saveVerifiedKey(repo, newPassword, opts));
}

export interface ChangePasswordResult {
  /** The new key file, now the one in use. */
  added: Id;
  /** The key file that opened the repository, removed after the new one was saved and checked. */
  removed: Id;
}

/**
 * Replaces the key in use by one for `newPassword` (exclusive lock, as restic): the old
 * key file goes only after the new one is stored and opens the master key when read back.
 */
export async function changePassword(repo: Repository, newPassword: string, opts: Omit<AddKeyOptions, 'username' | 'hostname'> = {}): Promise<ChangePasswordResult> {
  checkNewPassword(newPassword);
  return withLock(repo, lockOptions(opts, true), async () => {
    const old = repo.keyId;
    const added = await saveVerifiedKey(repo, newPassword, opts);
    throwIfAborted(opts.signal);
    await repo.backend.remove({ type: 'key', name: old });
    return { added, removed: old };
  });
}

/**
 * Removes a key file by id or unique prefix (exclusive lock, as restic). Refuses the key
 * in use, which is also the last one: the repository stays as it was.
 */
export async function removeKey(repo: Repository, idOrPrefix: string, opts: KeyLockOptions = {}): Promise<Id> {
  return withLock(repo, lockOptions(opts, true), async () => {
    const id = await repo.resolveId('key', idOrPrefix, { signal: opts.signal });
    if (id === repo.keyId) {
      throw new ChunkvaultError(
        ErrorCode.InvalidInput,
        `refusing to remove key ${id.slice(0, 8)}: it is the key in use (the one this password opens)${(await countKeys(repo, opts.signal)) === 1 ? ', and the only key of the repository' : ''}; open the repository with another key's password to remove it`,
      );
    }
    await repo.backend.remove({ type: 'key', name: id }, { signal: opts.signal });
    return id;
  });
}

/** restic refuses an empty password; so do we, before anything is locked or written. */
function checkNewPassword(password: string): void {
  if (password === '') throw invalidInput('the new password is empty: an empty password is not a password');
}

/**
 * Writes a key file sealing the repository's master key under `password`, reads it back
 * and opens it; removes it again if that fails (a broken key must not stay behind).
 * The new key becomes the one in use, as restic switches to it.
 */
async function saveVerifiedKey(repo: Repository, password: string, opts: AddKeyOptions): Promise<Id> {
  const keyFile = await createKeyFile(
    repo.key,
    password,
    { username: opts.username || currentUser().username, hostname: opts.hostname || os.hostname() },
    opts.kdf ?? (await calibrateKdf()),
  );
  const id = idOf(keyFile);
  throwIfAborted(opts.signal);
  await repo.backend.save({ type: 'key', name: id }, keyFile, { signal: opts.signal });
  try {
    const stored = await repo.backend.load({ type: 'key', name: id }, 0, 0, { signal: opts.signal });
    const master = await openKeyFile(stored, password);
    if (!master || !equalBytes(encodeMasterKey(master), encodeMasterKey(repo.key))) throw new Error('it does not open the master key');
  } catch (e) {
    await repo.backend.remove({ type: 'key', name: id }).catch(() => {});
    throw new ChunkvaultError(ErrorCode.Integrity, `the new key file ${id.slice(0, 8)} failed its check and was removed: ${errorMessage(e)}`, { cause: e });
  }
  repo.useKey(id);
  return id;
}

async function countKeys(repo: Repository, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const _ of repo.backend.list('key', { signal })) n++;
  return n;
}

function lockOptions(opts: KeyLockOptions, exclusive: boolean) {
  return { exclusive, waitMs: opts.lockWaitMs, signal: opts.signal, onRefreshError: opts.onLockRefreshError };
}

import { readFile } from 'node:fs/promises';
import { addKey, changePassword, ChunkvaultError, errorMessage, ErrorCode, listKeys, lockRefreshWarning, removeKey, shortId } from '../../engine/index.ts';
import { keyListJson, keyListTable } from '../../report/key-list.ts';
import { ExitCode } from '../exit-codes.ts';
import { openRepository, type GlobalOptions } from '../globals.ts';
import type { Output } from '../output.ts';

export const KEY_HELP = `chunkvault key: manage the repository's keys (passwords), as restic key does

Usage: chunkvault key -r REPO list [--json]
       chunkvault key -r REPO add --new-password-file FILE [--user U] [--host H]
       chunkvault key -r REPO remove ID
       chunkvault key -r REPO passwd --new-password-file FILE

Every key opens the same master key: changing a password re-encrypts nothing.
  list      the key files; * marks the one the password opened
  add       add a key for a new password
  remove    remove a key by id or unique prefix (not the one in use, so never the last)
  passwd    add a key for the new password, then remove the one in use

Options:
  --new-password-file FILE   the new password (one trailing newline is dropped, as for
                             --password-file); it must not be empty
  --user U, --host H         recorded in a key that add creates (default: this user, this host)`;

export interface KeyArgs {
  'new-password-file'?: string;
  user?: string;
  host?: string;
}

export async function runKey(g: GlobalOptions, args: KeyArgs, positionals: string[], out: Output, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const [sub, ...rest] = positionals;
  const usage = (why: string) => new ChunkvaultError(ErrorCode.InvalidInput, `${why}; usage: key list | add | remove ID | passwd`);
  if (sub !== 'list' && sub !== 'add' && sub !== 'remove' && sub !== 'passwd') throw usage(sub ? `unknown key command '${sub}'` : 'no key command given');
  if (sub === 'remove' ? rest.length !== 1 : rest.length !== 0) throw usage(`wrong number of arguments for key ${sub}`);
  if ((sub === 'list' || sub === 'remove' || sub === 'passwd') && (args.user !== undefined || args.host !== undefined)) {
    throw usage(`--user and --host are for key add only`);
  }
  // Read before the repository is opened and locked: a missing file changes nothing.
  const newPassword = sub === 'add' || sub === 'passwd' ? await readNewPassword(args['new-password-file']) : '';
  const repo = await openRepository(g, env, { signal });
  const lock = { signal, lockWaitMs: g.lockWaitMs, onLockRefreshError: (e: unknown) => out.warn(lockRefreshWarning(e)) };
  switch (sub) {
    case 'list': {
      const keys = await listKeys(repo, { ...lock, onUnreadable: (id, e) => out.warn(`key ${shortId(id)} cannot be read: ${errorMessage(e)}`) });
      out.result(g.json ? keyListJson(keys) : keyListTable(keys));
      return ExitCode.Ok;
    }
    case 'add': {
      const id = await addKey(repo, newPassword, { ...lock, username: args.user, hostname: args.host });
      out.result(g.json ? JSON.stringify({ message_type: 'key_added', id }) : `saved new key as ${shortId(id)}`);
      return ExitCode.Ok;
    }
    case 'passwd': {
      const r = await changePassword(repo, newPassword, lock);
      out.result(g.json ? JSON.stringify({ message_type: 'password_changed', id: r.added, removed: r.removed }) : `saved new key as ${shortId(r.added)}, removed key ${shortId(r.removed)}`);
      return ExitCode.Ok;
    }
    case 'remove': {
      const id = await removeKey(repo, rest[0]!, lock);
      out.result(g.json ? JSON.stringify({ message_type: 'key_removed', id }) : `removed key ${shortId(id)}`);
      return ExitCode.Ok;
    }
  }
}

/** The new password from --new-password-file (restic 0.14 has no variable for it and would prompt; we cannot). */
async function readNewPassword(file: string | undefined): Promise<string> {
  if (file === undefined) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, 'no new password given: pass --new-password-file FILE');
  }
  const text = await readFile(file, 'utf8').catch((e: unknown) => {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `cannot read --new-password-file ${file}: ${(e as Error).message}`);
  });
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ChunkvaultError(ErrorCode.InvalidInput, `--new-password-file ${file} is empty: an empty password is not a password`);
  return password;
}

/**
 * The user running this process, for lock files, key files and snapshots. In containers a
 * uid may have no passwd entry, where os.userInfo() throws: the ids still count, the name
 * is then empty.
 */
import * as os from 'node:os';

export interface CurrentUser {
  username: string;
  uid: number;
  gid: number;
}

export function currentUser(): CurrentUser {
  try {
    const u = os.userInfo();
    return { username: u.username, uid: u.uid, gid: u.gid };
  } catch {
    return { username: '', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }
}

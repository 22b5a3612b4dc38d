/**
 * Verifying a restored tree against its snapshot, for the restore drill: every file is
 * read back and hashed in the blob boundaries the index gives (no re-chunking), so each
 * piece must have the SHA-256 of the blob the snapshot lists there; sizes, types, link
 * targets and the set of entries must match too. The snapshot is walked with the same
 * planner as the restore (same safety checks, same include patterns), and nothing in the
 * target is followed or written.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { CallOptions } from '../storage/backend.ts';
import { forEachLimited } from '../support/concurrency.ts';
import { errorMessage, throwIfAborted } from '../errors.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { planRestore, type PlannedEntry, type PlannedFile } from './plan.ts';

const O = fs.constants;
const SLASH = 0x2f;
/** Extra entries listed one by one; beyond that only counted. */
const MAX_EXTRA_LISTED = 50;

export interface VerifyOptions extends CallOptions {
  /** The include patterns the restore used. */
  include?: readonly string[];
  /** Report entries in the target that the snapshot does not have. @default true */
  reportExtraEntries?: boolean;
  /** Files read at once. @default 8 */
  concurrency?: number;
}

export interface VerifyResult {
  /** Non-directory entries that match: files (content and size), symlinks, fifos. */
  filesVerified: number;
  /** Content bytes read back and found equal. */
  bytesVerified: number;
  /** What differs, one readable line each; empty when the tree matches. */
  problems: string[];
}

export async function verifyRestoredTree(repo: Repository, snapshot: SnapshotEntry, targetDir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const plan = await planRestore(repo, snapshot, { include: opts.include, signal: opts.signal });
  const root = Buffer.from(fs.realpathSync(targetDir));
  const abs = (rel: Buffer) => Buffer.concat([root, Buffer.of(SLASH), rel]);
  const result: VerifyResult = { filesVerified: 0, bytesVerified: 0, problems: [] };
  const problem = (e: PlannedEntry, what: string) => result.problems.push(`${e.location}: ${what}`);

  const files: PlannedFile[] = [];
  for (const e of plan.entries) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs(e.relPath));
    } catch (err) {
      problem(e, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot be examined: ${errorMessage(err)}`);
      continue;
    }
    switch (e.kind) {
      case 'dir':
        if (!st.isDirectory()) problem(e, `is not a directory (${typeOf(st)})`);
        break;
      case 'file':
        if (!st.isFile()) problem(e, `is not a regular file (${typeOf(st)})`);
        else files.push(e);
        break;
      case 'symlink': {
        if (!st.isSymbolicLink()) {
          problem(e, `is not a symlink (${typeOf(st)})`);
          break;
        }
        const target = fs.readlinkSync(abs(e.relPath), { encoding: 'buffer' });
        if (!target.equals(Buffer.from(e.target))) problem(e, `links to ${JSON.stringify(target.toString())}, the snapshot says ${JSON.stringify(e.target)}`);
        else result.filesVerified++;
        break;
      }
      case 'fifo':
        if (!st.isFIFO()) problem(e, `is not a fifo (${typeOf(st)})`);
        else result.filesVerified++;
        break;
    }
  }

  await forEachLimited(files, opts.concurrency ?? 8, async (file) => {
    throwIfAborted(opts.signal);
    const what = await verifyFile(abs(file.relPath), file);
    if (what.length > 0) {
      for (const w of what) problem(file, w);
      return;
    }
    result.filesVerified++;
    result.bytesVerified += file.sizeBytes;
  });

  if (opts.reportExtraEntries ?? true) {
    const expected = new Set(plan.entries.map((e) => e.relPath.toString('latin1')));
    const extra = listExtra(root, expected);
    for (const rel of extra.slice(0, MAX_EXTRA_LISTED)) result.problems.push(`${rel}: in the restored tree but not in the snapshot`);
    if (extra.length > MAX_EXTRA_LISTED) result.problems.push(`... and ${extra.length - MAX_EXTRA_LISTED} more entries not in the snapshot`);
  }
  const expectedFiles = plan.entries.filter((e) => e.kind !== 'dir').length;
  if (result.problems.length === 0 && result.filesVerified !== expectedFiles) {
    result.problems.push(`verified ${result.filesVerified} entries, the snapshot has ${expectedFiles}`);
  }
  return result;
}

/** Problems with one regular file's size and content; empty when it matches. */
async function verifyFile(p: Buffer, file: PlannedFile): Promise<string[]> {
  if (file.missingBlobs.length > 0) return [`cannot be verified: data blob ${file.missingBlobs[0]} is not in the index`];
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(p, O.O_RDONLY | O.O_NOFOLLOW);
  } catch (err) {
    return [`cannot be read: ${errorMessage(err)}`];
  }
  try {
    const problems: string[] = [];
    const { size } = await fh.stat();
    if (size !== file.sizeBytes) problems.push(`size ${size}, the snapshot's content is ${file.sizeBytes} bytes`);
    if (file.node.size !== undefined && file.node.size !== file.sizeBytes) {
      problems.push(`the snapshot records size ${file.node.size} but its content blobs add up to ${file.sizeBytes} bytes`);
    }
    if (problems.length > 0) return problems;
    let buf = Buffer.allocUnsafe(0);
    for (const blob of file.blobs) {
      if (buf.byteLength < blob.length) buf = Buffer.allocUnsafe(blob.length);
      const piece = buf.subarray(0, blob.length);
      let done = 0;
      while (done < blob.length) {
        const { bytesRead } = await fh.read(piece, done, blob.length - done, blob.offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done !== blob.length) return [`ends early at byte ${blob.offset + done}`];
      if (createHash('sha256').update(piece).digest('hex') !== blob.id) {
        return [`content differs in bytes ${blob.offset}..${blob.offset + blob.length} (blob ${blob.id})`];
      }
    }
    return [];
  } finally {
    await fh.close();
  }
}

/** Entries under root not in `expected` (latin1 keys), shown as snapshot paths ("/a/b", UTF-8). */
function listExtra(root: Buffer, expected: ReadonlySet<string>): string[] {
  const extra: string[] = [];
  const walk = (rel: Buffer) => {
    const dir = rel.length ? Buffer.concat([root, Buffer.of(SLASH), rel]) : root;
    for (const entry of fs.readdirSync(dir, { encoding: 'buffer', withFileTypes: true })) {
      const childRel = rel.length ? Buffer.concat([rel, Buffer.of(SLASH), entry.name]) : entry.name;
      if (!expected.has(childRel.toString('latin1'))) {
        extra.push(`/${childRel.toString()}`);
        continue;
      }
      if (entry.isDirectory()) walk(childRel);
    }
  };
  walk(Buffer.alloc(0));
  return extra;
}

function typeOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFile()) return 'a regular file';
  if (st.isFIFO()) return 'a fifo';
  return 'a special file';
}

/**
 * A hostile REST server: its GET answers come short, cut off, too long (announced or
 * not), without end, trickling then stalling, or carry another file's bytes. Each is
 * detected by restore, check and snapshot listing; the error names the file; nothing is
 * written to the repository from it; an answer longer than asked for is cut, not buffered.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RestBackend } from '../../src/backends/rest.ts';
import { parseReadDataSubset } from '../../src/engine/checker/index.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import { check } from '../../src/engine/commands/check.ts';
import { restore } from '../../src/engine/commands/restore.ts';
import { ChunkvaultError } from '../../src/engine/errors.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { CHEAP_KDF } from '../helpers/cheap-repository.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { startFaultServer, type BodyFault, type FaultServer } from '../helpers/fault-rest-server.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const PASSWORD = 'hostile-server';
/** Short, so that a stalled answer fails in a test; the default is 5 minutes. */
const RESPONSE_TIMEOUT_MS = 1000;

describe('a hostile REST server', () => {
  let server: FaultServer;
  let dir: string;
  let targets = 0;
  /** Server paths of the repository's files by type. */
  const paths = { data: [] as string[], index: [] as string[], snapshot: [] as string[] };

  const open = () => Repository.open(new RestBackend({ url: new URL(`${server.url}repo/`), responseTimeoutMs: RESPONSE_TIMEOUT_MS }), PASSWORD);
  const idOfPath = (p: string) => path.posix.basename(p);

  /** The repository's files and their hashes, locks aside (readers take and drop one). */
  function contentState(): Record<string, string> {
    const state: Record<string, string> = {};
    for (const [p, bytes] of server.files) if (!p.includes('/locks/')) state[p] = createHash('sha256').update(bytes).digest('hex');
    return state;
  }

  beforeAll(async () => {
    server = await startFaultServer();
    dir = await makeTempDir('hostile-server');
    await mkdir(path.join(dir, 'source'));
    await writeFile(path.join(dir, 'source/big'), pseudoRandomBytes(700 * 1024, 7));
    await writeFile(path.join(dir, 'source/small'), 'small\n');
    const repo = await Repository.init(new RestBackend({ url: new URL(`${server.url}repo/`) }), PASSWORD, { kdf: CHEAP_KDF });
    await backup(repo, { targets: ['source'], baseDir: dir, hostname: 'h' });
    await writeFile(path.join(dir, 'source/small'), 'changed\n');
    await backup(repo, { targets: ['source'], baseDir: dir, hostname: 'h' });
    await repo.backend.close();
    for (const p of server.files.keys()) {
      for (const type of ['data', 'index', 'snapshot'] as const) if (p.startsWith(`/repo/${type === 'snapshot' ? 'snapshots' : type}/`)) paths[type].push(p);
    }
    expect(paths.data.length).toBeGreaterThanOrEqual(2);
    expect(paths.snapshot).toHaveLength(2);
  });
  afterAll(async () => {
    await server?.close();
    await removeDir(dir);
  });
  afterEach(() => server.clearFaults());

  /** The largest pack: the one holding the big file's data. */
  const dataPack = () => paths.data.reduce((a, b) => (server.files.get(a)!.byteLength >= server.files.get(b)!.byteLength ? a : b));

  /**
   * Runs `read` with `fault` on every GET of `victim`: it must fail with our typed error
   * naming the file, and leave the repository as it was. Returns the error.
   */
  async function expectDetected(victim: string, fault: BodyFault, read: (repo: Repository) => Promise<unknown>): Promise<ChunkvaultError> {
    const before = contentState();
    const repo = await open();
    try {
      server.inject(Array.from({ length: 50 }, () => ({ body: fault })), (method, p) => method === 'GET' && p === victim);
      const requestsBefore = server.requests.length;
      let thrown: unknown;
      try {
        await read(repo);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${fault.kind} of ${victim} went unnoticed`).toBeInstanceOf(ChunkvaultError);
      const error = thrown as ChunkvaultError;
      expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toContain(idOfPath(victim));
      expect(server.requests.slice(requestsBefore).some((r) => r.path === victim && r.outcome === fault.kind)).toBe(true);
      const written = server.requests.slice(requestsBefore).filter((r) => (r.method === 'POST' || r.method === 'DELETE') && !r.path.includes('/locks/'));
      expect(written).toEqual([]);
      expect(contentState()).toEqual(before);
      return error;
    } finally {
      server.clearFaults();
      await repo.backend.close();
    }
  }

  const restoreAll = (repo: Repository) => restore(repo, { target: path.join(dir, `target-${++targets}`) });
  const listAll = (repo: Repository) => repo.listSnapshots();
  /** check --read-data: findings are returned, not thrown; turned into an error here. */
  const checkAll = async (repo: Repository) => {
    const report = await check(repo, { readData: parseReadDataSubset('100%') });
    if (report.errors.length > 0) throw new ChunkvaultError('ERR_INTEGRITY', report.errors.map((f) => f.message).join('; '));
  };

  const packFaults: BodyFault[] = [
    { kind: 'truncate', keep: 1000 },
    { kind: 'cut-off', keep: 1000 },
    { kind: 'oversized', extra: 4096, announced: true },
    { kind: 'oversized', extra: 4096, announced: false },
    { kind: 'substitute', other: '' },
  ];

  for (const fault of packFaults) {
    const label = fault.kind === 'oversized' ? `oversized (${fault.announced ? 'announced' : 'chunked'})` : fault.kind;
    it(`sending a pack ${label} fails restore and check, naming the pack`, async () => {
      const victim = dataPack();
      const other = paths.data.find((p) => p !== victim)!;
      const f = fault.kind === 'substitute' ? { ...fault, other } : fault;
      await expectDetected(victim, f, restoreAll);
      await expectDetected(victim, f, checkAll);
    });
  }

  for (const fault of [{ kind: 'truncate', keep: 40 }, { kind: 'oversized', extra: 10, announced: false }, { kind: 'substitute', other: '' }] as BodyFault[]) {
    it(`sending a snapshot file ${fault.kind} fails the listing, naming the file`, async () => {
      const [victim, other] = paths.snapshot as [string, string];
      await expectDetected(victim, fault.kind === 'substitute' ? { ...fault, other } : fault, listAll);
    });
  }

  it('sending an index file of another repository state is refused by name', async () => {
    const victim = paths.index[0]!;
    const other = paths.snapshot[0]!;
    await expectDetected(victim, { kind: 'substitute', other }, (repo) => repo.loadIndex());
  });

  it('sending a pack without end is cut at the length asked for, without buffering it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const junkBefore = server.bodyFaults.junkBytesSent;
    const error = await expectDetected(dataPack(), { kind: 'endless' }, restoreAll);
    expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toMatch(/longer than the \d+ bytes asked for/);
    // What the server managed to push before the client hung up: socket buffers, not the whole stream.
    const junk = server.bodyFaults.junkBytesSent - junkBefore;
    expect(junk).toBeLessThan(32 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
  });

  it('announcing a pack of a terabyte is refused before anything is allocated for it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const error = await expectDetected(dataPack(), { kind: 'lying-length', announce: 2 ** 40 }, restoreAll);
    expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toMatch(/longer than the \d+ bytes asked for/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
  });

  it('trickling a pack and then stalling ends in a timeout error that names the pack', async () => {
    const started = Date.now();
    const error = await expectDetected(dataPack(), { kind: 'drip', bytesPerTick: 100, tickMs: 50, stallAfter: 2000 }, restoreAll);
    expect(error.message).toMatch(/timeout.*stopped sending in the middle of the answer/i);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

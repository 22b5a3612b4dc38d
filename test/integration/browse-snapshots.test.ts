/**
 * `dump`, `ls` and `find` against restic 0.14 on one repository holding a snapshot restic
 * wrote and one we wrote of the same tree: dumped files equal the source and restic's
 * dump, byte for byte, with memory flat in the file's size; directory archives equal
 * restic's tar byte for byte (and list and extract alike); listings and searches print
 * what restic prints, text and JSON.
 *
 * Allowed differences, each handled where it arises below:
 * - restic's `find` visits snapshots in the order its parallel loaders finish; we go
 *   oldest first. Per-snapshot groups are compared as a set.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { pseudoRandomBytes } from '../helpers/data.ts';
import { RESTIC_BIN, restic, resticEnvironment } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { buildVariedTree, compareTrees } from '../helpers/tree.ts';
import { initCheapRepository } from '../helpers/cheap-repository.ts';

const PASSWORD = 'browse test';
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const MiB = 1024 * 1024;
const BIG_FILE_BYTES = 50 * MiB;
const HUGE_FILE_BYTES = 200 * MiB;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Run {
  code: number;
  stderr: string;
  /** Peak resident set size of the process, from /usr/bin/time -v. */
  maxRssBytes: number;
}

/** Runs a program with its stdout going to a file (binary-safe, and no pipe buffering in this process). */
async function runToFile(program: string, args: string[], env: NodeJS.ProcessEnv, outFile: string): Promise<Run> {
  const out = await open(outFile, 'w');
  try {
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-v', program, ...args], { env, stdio: ['ignore', out.fd, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        const own = stderr.split('\n\tCommand being timed')[0]!.replace(/Command exited with non-zero status \d+\n/, '');
        resolve({ code: code ?? 1, stderr: own, maxRssBytes: rss ? Number(rss[1]) * 1024 : NaN });
      });
    });
  } finally {
    await out.close();
  }
}

/** Runs a shell pipeline; returns its stdout and stderr. */
function shell(script: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
  });
}

describe('dump, ls and find, compared with restic 0.14', () => {
  let dir: string;
  let repo: string;
  let src: string;
  let resticSnapshot: string;
  let ourSnapshot: string;
  /** Ours only, of one 200 MiB file, for the memory test. */
  let hugeSnapshot: string;
  let hugeFile: string;
  const resticOpts = () => ({ repo, password: PASSWORD, cacheDir: dir });
  const cliEnv = () => ({ CHUNKVAULT_PASSWORD: PASSWORD, TZ: 'UTC' });
  const cli = (args: string[]) => runCli(['-r', repo, ...args], cliEnv(), dir);
  const cliProcessEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', CHUNKVAULT_CACHE_DIR: path.join(dir, 'cv-cache'), ...cliEnv() });
  const cliToFile = (args: string[], file: string) => runToFile(process.execPath, [CLI, '-r', repo, ...args], cliProcessEnv(), file);
  const resticToFile = (args: string[], file: string) => runToFile(RESTIC_BIN, args, resticEnvironment(resticOpts()), file);
  const bothSnapshots = () => [
    ['restic', resticSnapshot],
    ['ours', ourSnapshot],
  ] as const;

  beforeAll(async () => {
    dir = await makeTempDir('cv-browse-');
    repo = path.join(dir, 'repo');
    src = path.join(dir, 'src');
    await mkdir(src);
    await mkdir(path.join(dir, 'x'));
    await buildVariedTree(src, { bigFileBytes: BIG_FILE_BYTES });
    // Names for tar's two long-name forms: over 100 bytes but split at a '/' (USTAR prefix),
    // and one component too long for that (a PAX path record).
    const longDir = path.join(src, 'long', 'd'.repeat(70));
    await mkdir(longDir, { recursive: true });
    await writeFile(path.join(longDir, `${'f'.repeat(60)}.txt`), 'split name\n');
    await writeFile(path.join(src, 'long', `${'p'.repeat(120)}.txt`), 'pax name\n');
    await writeFile(path.join(src, 'medium.bin'), pseudoRandomBytes(8 * MiB, 11));
    await initCheapRepository(repo, PASSWORD);
    await restic(['backup', '--tag', 'by-restic', src], resticOpts());
    const ours = await cli(['backup', '--json', '--tag', 'by-us', src]);
    expect(ours.code, ours.stderr).toBe(0);
    ourSnapshot = JSON.parse(ours.stdout).snapshot_id;
    hugeFile = path.join(dir, 'huge', 'huge.bin');
    await mkdir(path.dirname(hugeFile));
    const huge = await open(hugeFile, 'w');
    for (let i = 0; i < HUGE_FILE_BYTES / (8 * MiB); i++) await huge.write(randomBytes(8 * MiB));
    await huge.close();
    const hugeBackup = await cli(['backup', '--json', '--tag', 'huge', hugeFile]);
    expect(hugeBackup.code, hugeBackup.stderr).toBe(0);
    hugeSnapshot = JSON.parse(hugeBackup.stdout).snapshot_id;
    const list = JSON.parse(await restic(['snapshots', '--json'], resticOpts())) as { id: string; tags?: string[] }[];
    resticSnapshot = list.find((s) => s.tags?.includes('by-restic'))!.id;
    expect(resticSnapshot).toMatch(/^[0-9a-f]{64}$/);
  }, 300_000);
  afterAll(() => removeDir(dir));

  it('dump writes a file as its bytes: equal to the source and to restic dump', async () => {
    for (const [who, id] of bothSnapshots()) {
      for (const rel of ['hello.txt', 'names/café.txt', 'empty-file', 'big.bin']) {
        const ourFile = path.join(dir, 'x', `ours-${who}`);
        const theirFile = path.join(dir, 'x', `restic-${who}`);
        await mkdir(path.dirname(ourFile), { recursive: true });
        const r = await cliToFile(['dump', id, path.join(src, rel)], ourFile);
        expect(r.code, r.stderr).toBe(0);
        expect((await resticToFile(['dump', id, path.join(src, rel)], theirFile)).code).toBe(0);
        const expected = sha256(await readFile(path.join(src, rel)));
        expect(sha256(await readFile(ourFile)), `${who} ${rel}`).toBe(expected);
        expect(sha256(await readFile(theirFile)), `restic's dump of ${who} ${rel}`).toBe(expected);
      }
    }
  }, 300_000);

  it('dump streams: peak memory does not grow with the file (8 MiB and 200 MiB)', async () => {
    const out = path.join(dir, 'x', 'rss');
    const medium = await cliToFile(['dump', ourSnapshot, path.join(src, 'medium.bin')], out);
    expect(medium.code, medium.stderr).toBe(0);
    const big = await cliToFile(['dump', hugeSnapshot, hugeFile], out);
    expect(big.code, big.stderr).toBe(0);
    expect(sha256(await readFile(out))).toBe(sha256(await readFile(hugeFile)));
    // The files differ by 192 MiB, which holding the file would show. Streaming adds only
    // what any dump reaches after its first tens of MiB (blobs in flight, decompression
    // buffers in the thread pool, the collector's slack): measured about 45 MiB.
    const grew = big.maxRssBytes - medium.maxRssBytes;
    const message = `peak RSS ${(medium.maxRssBytes / MiB).toFixed(0)} MiB for 8 MiB, ${(big.maxRssBytes / MiB).toFixed(0)} MiB for 200 MiB`;
    expect(grew, message).toBeLessThan(HUGE_FILE_BYTES / 3);
  }, 300_000);

  it("dump writes a directory as restic's tar: same bytes, same listing, same extracted tree", async () => {
    for (const [who, id] of bothSnapshots()) {
      for (const target of [src, '/', path.join(src, 'long')]) {
        const ours = path.join(dir, 'x', `ours-${who}.tar`);
        const theirs = path.join(dir, 'x', `restic-${who}.tar`);
        const r = await cliToFile(['dump', id, target], ours);
        expect(r.code, r.stderr).toBe(0);
        expect((await resticToFile(['dump', id, target], theirs)).code).toBe(0);
        const listing = async (file: string) => (await shell(`tar -tvf '${file}'`, { TZ: 'UTC', PATH: process.env.PATH })).stdout;
        expect(await listing(ours), `${who} ${target}`).toBe(await listing(theirs));
        expect(sha256(await readFile(ours)), `${who} ${target}: tar bytes`).toBe(sha256(await readFile(theirs)));
        if (target !== src) continue;
        const extract = async (file: string, into: string) => {
          await removeDir(into);
          await mkdir(into, { recursive: true });
          const x = await shell(`tar -xf '${file}' -C '${into}'`, { PATH: process.env.PATH });
          expect(x.code, x.stderr).toBe(0);
          return path.join(into, path.relative('/', src));
        };
        const ourTree = await extract(ours, path.join(dir, 'x', 'ours-tree'));
        const theirTree = await extract(theirs, path.join(dir, 'x', 'restic-tree'));
        expect(await compareTrees(theirTree, ourTree)).toEqual([]);
        // Tar keeps whole seconds (Go rounds); everything else is exact.
        expect(await compareTrees(src, ourTree, { mtimeToleranceNs: 1e9 })).toEqual([]);
      }
    }
  }, 300_000);

  it('dump fails clearly on a missing path or snapshot, and stops quietly when the reader goes away', async () => {
    const missing = await cli(['dump', ourSnapshot, path.join(src, 'no-such-file')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([`chunkvault dump: path ${JSON.stringify(path.join(src, 'no-such-file'))} not found in snapshot`]);
    const notFile = await cli(['dump', ourSnapshot, path.join(src, 'links', 'relative', 'x')]);
    expect(notFile.code).toBe(1);
    expect(notFile.stderr).toContain('should be a directory, but is a "symlink"');
    const noSnapshot = await cli(['dump', 'ffffffff', '/']);
    expect(noSnapshot.code).toBe(1);
    expect(noSnapshot.stderr).toContain("no snapshot has an id starting with 'ffffffff'");
    expect((await cli(['dump', ourSnapshot])).stderr).toContain('dump takes a snapshot and a path');
    expect((await cli(['dump', '--archive', 'zip', ourSnapshot, '/'])).stderr).toContain('--archive zip');

    const node = `'${process.execPath}' '${CLI}' -r '${repo}'`;
    const head = await shell(`${node} dump ${ourSnapshot} '${path.join(src, 'big.bin')}' | head -c 1000 | wc -c; echo "exit \${PIPESTATUS[0]}"`, cliProcessEnv());
    expect(head.stdout.split(/\s+/).filter(Boolean)).toEqual(['1000', 'exit', '0']);
    expect(head.stderr).toBe('');
    const lsHead = await shell(`${node} ls ${ourSnapshot} | head -n 2; echo "exit \${PIPESTATUS[0]}"`, cliProcessEnv());
    expect(lsHead.stdout.trim().split('\n').at(-1)).toBe('exit 0');
    expect(lsHead.stderr).toBe('');
  }, 300_000);

  it("ls prints what restic's ls prints: text, --long, --json, directories, --recursive", async () => {
    const cases: string[][] = [[], ['-l'], ['--json'], [src], ['-l', path.join(src, 'names'), path.join(src, 'links')], ['--recursive', path.join(src, 'sticky')], ['--json', '--recursive', path.join(src, 'names')]];
    for (const [who, id] of bothSnapshots()) {
      for (const extra of cases) {
        const json = extra[0] === '--json';
        const rest = json ? extra.slice(1) : extra;
        const flags = rest.filter((a) => a.startsWith('-'));
        const dirs = rest.filter((a) => !a.startsWith('-'));
        const theirs = await restic([...(json ? ['--json'] : []), 'ls', ...flags, id, ...dirs], resticOpts());
        const ours = await cli([...(json ? ['--json'] : []), 'ls', ...flags, id, ...dirs]);
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout, `${who}: ls ${extra.join(' ')}`).toBe(theirs);
      }
    }
    // Byte for byte too: names that are not UTF-8 are printed as their raw bytes, as restic does
    // (the string comparisons above decode both outputs alike and could not tell).
    for (const [who, id] of bothSnapshots()) {
      for (const args of [['ls', '-l', id, path.join(src, 'names')], ['find', '--snapshot', id, 'bad*', '*(']]) {
        const ours = path.join(dir, 'x', 'text-ours');
        const theirs = path.join(dir, 'x', 'text-restic');
        expect((await cliToFile(args, ours)).code).toBe(0);
        expect((await resticToFile(args, theirs)).code).toBe(0);
        const expected = await readFile(theirs);
        expect(expected.includes(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e]))).toBe(true);
        expect((await readFile(ours)).equals(expected), `${who}: ${args.join(' ')}`).toBe(true);
      }
    }
    // 'latest' with a filter picks the same snapshot as restic's.
    expect((await cli(['ls', '--tag', 'by-restic', 'latest', path.join(src, 'names')])).stdout).toBe(
      await restic(['ls', '--tag', 'by-restic', 'latest', path.join(src, 'names')], resticOpts()),
    );
    const relative = await cli(['ls', ourSnapshot, 'names']);
    expect(relative.code).toBe(1);
    expect(relative.stderr).toContain("start with '/'");
  }, 300_000);

  it("find prints what restic's find prints: text, --long, --ignore-case, --json, --oldest/--newest, --snapshot", async () => {
    // Groups per snapshot, sorted: restic's order of snapshots is not fixed (see the file comment).
    const textGroups = (out: string) => out.split('\n\nFound matching').map((g, i) => (i === 0 ? g : `Found matching${g}`).trimEnd()).sort();
    const jsonGroups = (out: string) => (JSON.parse(out) as { snapshot: string }[]).sort((a, b) => a.snapshot.localeCompare(b.snapshot));
    const cases: string[][] = [
      ['*.txt'],
      ['-l', 'level1*', 'links'],
      ['-i', 'CAFÉ*', 'HELLO.TXT'],
      [`${src}/names/*`],
      [`${src}/**/bottom.txt`],
      ['--newest', '2005-01-01', '*'],
      ['--oldest', '2005-01-01 00:00:00', '-l', 'hello.txt', 'empty-*'],
      ['no-such-name'],
      ['--snapshot', ourSnapshot.slice(0, 8), '*.sql'],
      ['--tag', 'by-restic', '*.sh'],
    ];
    for (const args of cases) {
      const theirs = await restic(['find', ...args], resticOpts());
      const ours = await cli(['find', ...args]);
      expect(ours.code, ours.stderr).toBe(0);
      expect(textGroups(ours.stdout), `find ${args.join(' ')}`).toEqual(textGroups(theirs));
      const theirJson = await restic(['--json', 'find', ...args], resticOpts());
      const ourJson = await cli(['--json', 'find', ...args]);
      expect(jsonGroups(ourJson.stdout), `find --json ${args.join(' ')}`).toEqual(jsonGroups(theirJson));
      // One snapshot, or none: the order question does not arise, so the bytes must match.
      if (jsonGroups(theirJson).length <= 1) expect(ourJson.stdout).toBe(theirJson);
    }
    const bad = await cli(['find', '--oldest', 'yesterday', '*']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--oldest');
  }, 300_000);

  it("the action's ls mode logs restic's ls -l lines and sums them up", async () => {
    const dirs = [path.join(src, 'names'), path.join(src, 'links')];
    const run = await runAction({ repository: repo, password: PASSWORD, mode: 'ls', snapshot: resticSnapshot, 'ls-path': dirs.join('\n') }, dir);
    expect(run.code, run.stdout).toBe(0);
    const theirs = await restic(['ls', '-l', resticSnapshot, ...dirs], resticOpts());
    const missing = theirs.split('\n').filter((line) => line !== '' && !run.stdout.includes(line));
    expect(missing).toEqual([]);
    const nodes = (await restic(['--json', 'ls', resticSnapshot, ...dirs], resticOpts()))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { struct_type: string; type: string })
      .filter((n) => n.struct_type === 'node');
    const files = nodes.filter((n) => n.type === 'file').length;
    expect(files).toBeGreaterThan(10);
    expect(run.summary).toContain(resticSnapshot.slice(0, 8));
    expect(run.summary).toContain(`<td>${files}</td>`);
    const unknown = await runAction({ repository: repo, password: PASSWORD, mode: 'ls', snapshot: 'ffffffff' }, dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("::error::input 'snapshot': no snapshot has an id starting with 'ffffffff' (mode 'snapshots' lists them)");
    const relative = await runAction({ repository: repo, password: PASSWORD, mode: 'ls', 'ls-path': 'names' }, dir);
    expect(relative.code).toBe(1);
    expect(relative.stdout).toContain("::error::input 'ls-path': 'names' is not absolute");
  }, 120_000);
});

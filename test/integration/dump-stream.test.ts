/**
 * The dump source itself, whatever the database: a command's output streamed into a
 * snapshot with back-pressure, a dump beside files in one snapshot, the environment the
 * command sees, name checks, the CLI's --stdin and --stdin-from-command, and interop
 * with restic's own `backup --stdin` snapshots (both ways).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local.ts';
import { backup } from '../../src/engine/commands/backup.ts';
import type { DumpSource } from '../../src/engine/dump/index.ts';
import { ErrorCode } from '../../src/engine/errors.ts';
import { Repository } from '../../src/engine/repository/repository.ts';
import { commandEnvironment } from '../../src/process/run-shell.ts';
import { shellDumpSource } from '../../src/process/dump-command.ts';
import { runAction } from '../helpers/action.ts';
import { runCli } from '../helpers/cli.ts';
import { dumpLikeText, pseudoRandomBytes } from '../helpers/data.ts';
import { assertResticInstalled, RESTIC_BIN, restic, resticEnvironment } from '../helpers/restic.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';

const FAST_KDF = { N: 16384, r: 8, p: 1 };
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const MiB = 1024 * 1024;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** restic with a file as its standard input (runRestic has none). */
function resticWithStdin(args: string[], opts: { repo: string; password: string; cacheDir: string }, stdinFile: string) {
  assertResticInstalled();
  return withStdin(RESTIC_BIN, args, resticEnvironment(opts), stdinFile);
}

/** The CLI with a file as its standard input (runCli has none). */
function runCliWithStdin(args: string[], env: Record<string, string>, stdinFile: string) {
  return withStdin(process.execPath, [CLI, ...args], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdinFile);
}

function withStdin(file: string, args: string[], env: NodeJS.ProcessEnv, stdinFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return open(stdinFile, 'r').then(
    (handle) =>
      new Promise((resolve) => {
        const child = spawn(file, args, {
          env,
          stdio: [handle.fd, 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => (stdout += d));
        child.stderr!.on('data', (d) => (stderr += d));
        child.on('close', (code) => {
          void handle.close();
          resolve({ code: code ?? 1, stdout, stderr });
        });
      }),
  );
}

describe('a dump streamed into a snapshot', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('dump-stream');
  });
  afterAll(() => removeDir(dir));

  it('pauses the dump command while the pipeline does not read, then stores every byte', async () => {
    // 64 MiB that does not compress or dedup, written by a command 1 MiB at a time.
    const data = pseudoRandomBytes(64 * MiB, 77);
    const file = path.join(dir, 'random.bin');
    await writeFile(file, data);
    const repo = await Repository.init(new LocalBackend(path.join(dir, 'repo-paused')), 'pw', { kdf: FAST_KDF });
    let mibWritten = 0;
    const command = shellDumpSource(`for i in $(seq 0 63); do dd if="${file}" bs=1M skip=$i count=1 status=none; echo "$i" >&2; done`, {
      filename: 'random.bin',
      env: commandEnvironment(process.env, {}),
      onStderrLine: () => mibWritten++,
    });
    // The pipeline stalls for 3 s after the first 8 MiB (as it does behind a slow stage).
    let stalled: { atMiB: number; maxMiB: number } | undefined;
    const dump: DumpSource = {
      ...command,
      filename: command.filename,
      label: command.label,
      start(signal) {
        const running = command.start(signal);
        async function* stalling(): AsyncGenerator<Uint8Array> {
          let read = 0;
          for await (const block of running.output) {
            read += block.byteLength;
            if (!stalled && read >= 8 * MiB) {
              const atMiB = mibWritten;
              let maxMiB = atMiB;
              for (let i = 0; i < 30; i++) {
                await new Promise((r) => setTimeout(r, 100));
                maxMiB = Math.max(maxMiB, mibWritten);
              }
              stalled = { atMiB, maxMiB };
            }
            yield block;
          }
        }
        return { output: stalling(), ended: running.ended, stop: running.stop };
      },
    };
    const result = await backup(repo, { targets: [], dump, baseDir: dir, hostname: 'h' });

    // While nothing read, the command was blocked in its write: it got at most a pipe's
    // and a stream buffer's worth (well under 1 MiB) ahead, not the 56 MiB it had left.
    expect(stalled).toBeDefined();
    expect(stalled!.maxMiB - stalled!.atMiB).toBeLessThanOrEqual(1);
    expect(stalled!.atMiB).toBeLessThan(12);
    expect(mibWritten).toBe(64);
    expect(result.dump).toEqual({ path: '/random.bin', bytes: 64 * MiB });
    expect(result.snapshot.paths).toEqual(['/random.bin']);

    const target = path.join(dir, 'restored-paused');
    await restic(['restore', 'latest', '--target', target], { repo: repo.backend.location, password: 'pw', cacheDir: dir });
    expect(sha256(await readFile(path.join(target, 'random.bin')))).toBe(sha256(data));
  });

  it('refuses a dump name with a slash, or the name of a backed-up path, before running the command', async () => {
    const backend = new LocalBackend(path.join(dir, 'repo-names'));
    const repo = await Repository.init(backend, 'pw', { kdf: FAST_KDF });
    const marker = path.join(dir, 'command-ran');
    const source = (filename: string) =>
      shellDumpSource(`touch "${marker}"; echo data`, { filename, env: commandEnvironment(process.env, {}) });
    await expect(backup(repo, { targets: [], dump: source('db/app.sql'), baseDir: dir, hostname: 'h' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(backup(repo, { targets: [], dump: source('..'), baseDir: dir, hostname: 'h' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    // The dump would be /tmp (or wherever the temp dir lives) beside the backed-up /tmp/...
    const topLevel = dir.split('/')[1]!;
    await expect(backup(repo, { targets: [dir], dump: source(topLevel), baseDir: dir, hostname: 'h' })).rejects.toThrow(/both a backed-up path and the name given to the dump/);
    await expect(stat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(path.join(backend.location, 'snapshots'))).toEqual([]);
    expect(await readdir(path.join(backend.location, 'locks'))).toEqual([]);
  });

  it('the action puts a dump and files in one snapshot, and the dump command sees neither the password nor the inputs', async () => {
    const workspace = path.join(dir, 'ws-mixed');
    await mkdir(path.join(workspace, 'uploads'), { recursive: true });
    await writeFile(path.join(workspace, 'uploads', 'a.txt'), 'an uploaded file\n');
    const password = 'mixed-secret-9f3a';
    // The "dump" is the command's environment, with a marker line to find it by.
    const run = await runAction(
      { repository: 'repo', password, source: 'uploads', 'dump-command': 'echo "MARKER"; env | sort', 'dump-filename': 'env.txt' },
      workspace,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['files-new']).toBe('2');
    const snapshots = JSON.parse(await restic(['snapshots', '--json'], { repo: path.join(workspace, 'repo'), password, cacheDir: dir }));
    expect(snapshots[0].paths).toEqual(['/env.txt', path.join(workspace, 'uploads')]);

    const restore = await runAction({ repository: 'repo', password, mode: 'restore', target: 'restored' }, workspace);
    expect(restore.code, restore.stdout).toBe(0);
    const env = await readFile(path.join(workspace, 'restored', 'env.txt'), 'utf8');
    expect(Number(run.outputs['dump-bytes'])).toBe(Buffer.byteLength(env));
    expect(env).toContain('MARKER');
    expect(env).toContain(`GITHUB_WORKSPACE=${workspace}`); // the step's environment is there
    expect(env).not.toContain(password);
    expect(env).not.toMatch(/^INPUT_/m);
    expect(await readFile(path.join(workspace, 'restored', workspace, 'uploads', 'a.txt'), 'utf8')).toBe('an uploaded file\n');
  });

  describe('interop with restic backup --stdin', () => {
    let repo: string;
    let dumpFile: string;
    let dump: Buffer;
    const password = 'stdin-interop';
    const env = () => ({ RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: password });
    const resticOpts = () => ({ repo, password, cacheDir: dir });

    beforeAll(async () => {
      repo = path.join(dir, 'repo-interop');
      dump = dumpLikeText(6 * MiB, 21);
      dumpFile = path.join(dir, 'interop.sql');
      await writeFile(dumpFile, dump);
      await restic(['init'], resticOpts());
    });

    it('lays out the dump as restic does: the same snapshot paths and the same file node', async () => {
      const ours = await runCliWithStdin(['--json', 'backup', '--host', 'ours', '--stdin', '--stdin-filename', 'interop.sql'], env(), dumpFile);
      expect(ours.code, ours.stderr).toBe(0);
      expect(JSON.parse(ours.stdout.trim()).dump_bytes).toBe(dump.length);
      const theirs = await resticWithStdin(['backup', '--host', 'theirs', '--stdin', '--stdin-filename', 'interop.sql'], resticOpts(), dumpFile);
      expect(theirs.code, theirs.stderr).toBe(0);

      const snapshots: { id: string; hostname: string; paths: string[]; tree: string }[] = JSON.parse(await restic(['snapshots', '--json'], resticOpts()));
      const byHost = (h: string) => snapshots.find((s) => s.hostname === h)!;
      expect(byHost('ours').paths).toEqual(['/interop.sql']);
      expect(byHost('theirs').paths).toEqual(['/interop.sql']);
      const rootNode = async (h: string) => {
        const snapshot = JSON.parse(await restic(['cat', 'snapshot', byHost(h).id], resticOpts()));
        const tree = JSON.parse(await restic(['cat', 'blob', snapshot.tree], resticOpts()));
        expect(tree.nodes).toHaveLength(1);
        const node = tree.nodes[0];
        // All three times are the snapshot's time.
        expect([node.mtime, node.atime, node.ctime]).toEqual([snapshot.time, snapshot.time, snapshot.time]);
        const { mtime: _m, atime: _a, ctime: _c, ...rest } = node;
        return rest;
      };
      const ourNode = await rootNode('ours');
      expect(ourNode).toEqual(await rootNode('theirs'));
      expect(ourNode).toMatchObject({ name: 'interop.sql', type: 'file', mode: 0o644, uid: 0, gid: 0, size: dump.length });
    });

    it('restic restores our dump byte for byte, and we restore restic\'s', async () => {
      const byRestic = path.join(dir, 'restored-by-restic');
      await restic(['restore', 'latest', '--host', 'ours', '--target', byRestic], resticOpts());
      expect(sha256(await readFile(path.join(byRestic, 'interop.sql')))).toBe(sha256(dump));
      // restic dump writes it to standard output, as one would pipe it into psql.
      expect(sha256(Buffer.from(await restic(['dump', '--host', 'ours', 'latest', '/interop.sql'], resticOpts())))).toBe(sha256(dump));

      const byUs = path.join(dir, 'restored-by-us');
      const restore = await runCli(['restore', 'latest', '--host', 'theirs', '--target', byUs, '--verify'], env());
      expect(restore.code, restore.stderr).toBe(0);
      expect(sha256(await readFile(path.join(byUs, 'interop.sql')))).toBe(sha256(dump));

      // And a drill over restic's dump snapshot, with a command that compares the bytes.
      const drill = await runCli(['drill', '--host', 'theirs', '--scratch', dir, '--command', `cmp "$CHUNKVAULT_RESTORE_DIR/interop.sql" "${dumpFile}"`], env());
      expect(drill.code, drill.stderr + drill.stdout).toBe(0);
    });
  });

  it('the CLI refuses --stdin with paths, --stdin-from-command without a command, and both at once', async () => {
    const env = { RESTIC_REPOSITORY: path.join(dir, 'repo-interop'), RESTIC_PASSWORD: 'stdin-interop' };
    const withPaths = await runCli(['backup', '--stdin', dir], env);
    expect(withPaths.code).toBe(1);
    expect(withPaths.stderr).toContain('--stdin was given and so were paths');
    const noCommand = await runCli(['backup', '--stdin-from-command'], env);
    expect(noCommand.code).toBe(1);
    expect(noCommand.stderr).toContain('--stdin-from-command needs a command');
    const both = await runCli(['backup', '--stdin', '--stdin-from-command', '--', 'echo'], env);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('cannot be used together');
  });

  it('the CLI refuses an empty dump unless --allow-empty-dump', async () => {
    const env = { RESTIC_REPOSITORY: path.join(dir, 'repo-interop'), RESTIC_PASSWORD: 'stdin-interop' };
    const before = (await runCli(['--json', 'snapshots'], env)).stdout;
    const empty = await runCli(['backup', '--stdin-filename', 'nothing.sql', '--stdin-from-command', '--', 'true'], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('is empty');
    expect((await runCli(['--json', 'snapshots'], env)).stdout).toBe(before);
    const allowed = await runCli(['backup', '--allow-empty-dump', '--stdin-filename', 'nothing.sql', '--stdin-from-command', '--', 'true'], env);
    expect(allowed.code, allowed.stderr).toBe(0);
    const list = JSON.parse((await runCli(['--json', 'snapshots'], env)).stdout) as { paths: string[] }[];
    expect(list.some((s) => s.paths.includes('/nothing.sql'))).toBe(true);
    const misplaced = await runCli(['backup', '--allow-empty-dump', dir], env);
    expect(misplaced.code).toBe(1);
    expect(misplaced.stderr).toContain('--allow-empty-dump needs --stdin');
  });
});

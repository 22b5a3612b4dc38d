/** Runs a command and measures its wall time and peak resident memory (VmHWM from /proc). */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface Measurement {
  wallMs: number;
  peakRssBytes: number;
  stdout: string;
  stderr: string;
}

async function readPeakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Measurement> {
  const started = performance.now();
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const poll = setInterval(async () => {
    const rss = child.pid ? await readPeakRss(child.pid) : undefined;
    if (rss !== undefined && rss > peak) peak = rss;
  }, 20);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const wallMs = performance.now() - started;
  clearInterval(poll);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr}`);
  return { wallMs, peakRssBytes: peak, stdout, stderr };
}

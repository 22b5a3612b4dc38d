/**
 * A job summary as a reader sees it: its Markdown through marked (GitHub's flavour), its
 * ```mermaid blocks drawn by Mermaid, in headless Chromium: a PNG of the page and its DOM
 * after the charts were drawn.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { marked } from 'marked';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const MERMAID_JS = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

/** Flags that run Chromium here: no sandbox (root in a container), nothing from the network, a fresh profile. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--window-size=1000,1400',
  // Virtual time runs Mermaid's asynchronous drawing to its end before the capture.
  '--virtual-time-budget=5000',
];

const STYLE = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 14px; line-height: 1.5; color: #1f2328; margin: 24px; max-width: 950px; }
h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; font-size: 1.5em; }
h3 { font-size: 1.25em; }
table { border-collapse: collapse; margin: 0 0 16px; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; vertical-align: top; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 85%; background: #eff1f3; border-radius: 6px; padding: .2em .4em; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; }
.mermaid { background: none; max-width: 900px; }
`;

/** A page of the summary, Mermaid inlined, with its blocks made Mermaid's `<pre class="mermaid">`. */
export async function summaryPage(markdown: string): Promise<string> {
  const body = marked
    .parse(markdown, { async: false, gfm: true })
    .replace(/<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g, '<pre class="mermaid">$1</pre>');
  const mermaid = (await readFile(MERMAID_JS, 'utf8')).replaceAll('</script', '<\\/script');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body>${body}
<script>${mermaid}</script>
<script>mermaid.initialize({ startOnLoad: false, theme: 'default' }); mermaid.run({ querySelector: '.mermaid' });</script>
</body></html>`;
}

async function runChromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-profile-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`chromium exited with ${code}: ${stderr.slice(-2000)}`))));
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * Writes `<out>.html` and its screenshot `<out>.png`; returns their paths and the DOM once
 * Mermaid has drawn (its charts are <svg> elements in the .mermaid blocks). One Chromium
 * run does both.
 */
export async function renderSummary(markdown: string, out: string): Promise<{ html: string; png: string; dom: string }> {
  const html = `${out}.html`;
  const png = `${out}.png`;
  await writeFile(html, await summaryPage(markdown));
  const dom = await runChromium([`--screenshot=${png}`, '--dump-dom', `file://${html}`]);
  return { html, png, dom };
}

/** Width and height from a PNG's IHDR chunk; throws when the file is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

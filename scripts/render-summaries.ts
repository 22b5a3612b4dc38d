// Renders the job summary of every action mode (built from real engine results, as the
// summary test builds them) to PNG in headless Chromium, with Mermaid drawing the charts,
// so that a person can look at them: node scripts/render-summaries.ts [output directory]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildModeSummaries } from '../test/helpers/mode-summaries.ts';
import { renderSummary } from '../test/helpers/summary-render.ts';

const out = path.resolve(process.argv[2] ?? path.join(os.tmpdir(), 'chunkvault-summaries'));
await mkdir(out, { recursive: true });
const work = await mkdtemp(path.join(os.tmpdir(), 'render-summaries-'));
try {
  const summaries = await buildModeSummaries(work);
  for (const [name, doc] of summaries) {
    const base = path.join(out, name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, ''));
    await writeFile(`${base}.md`, doc.text());
    const { png } = await renderSummary(doc.text(), base);
    console.log(png);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

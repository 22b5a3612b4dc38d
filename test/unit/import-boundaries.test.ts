/**
 * The layering rules of src/, checked on every import:
 * - the engine is pure: files under src/engine import only each other, Node's built-ins
 *   and the crypto library, never the backends, the action, the CLI, the reports, the
 *   process helpers or @actions/*;
 * - everything else reaches the engine through src/engine/index.ts only.
 * Tests and benchmarks may deep-import engine internals: they are not part of src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const ENGINE = path.join(SRC, 'engine');
const ENGINE_INDEX = path.join(ENGINE, 'index.ts');
/** Packages the engine may use besides node:*. */
const ENGINE_PACKAGES = new Set(['libsodium-wrappers-sumo']);

interface SourceFile {
  /** Absolute path. */
  file: string;
  text: string;
}

/** Specifiers TypeScript itself finds: static imports and re-exports, `import()`, `require()`, `import x = require()`. Comments are ignored. */
function moduleSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** Worker entry files a module starts: `new URL('./x.ts', import.meta.url)` and `workerUrl(import.meta.url, 'x')`. */
function workerSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\bnew\s+URL\(\s*['"`](\.[^'"`]+)['"`]\s*,\s*import\.meta\.url\s*\)/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\bworkerUrl\(\s*import\.meta\.url\s*,\s*['"]([^'"]+)['"]\s*\)/g)) found.push(`./${m[1]!}.ts`);
  return found;
}

/** Every module specifier in a file: what TypeScript resolves, and the workers it starts. */
export function specifiers(text: string): string[] {
  return [...moduleSpecifiers(text), ...workerSpecifiers(text)];
}

/** Module loads whose target cannot be read from the text (a computed `import()` or `require()`): they would escape the rules. */
export function computedLoads(text: string): string[] {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const loads = node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require');
      const first = node.arguments[0];
      if (loads && !(first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)))) out.push(node.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

export function violations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const inEngine = file.startsWith(ENGINE + path.sep);
    for (const spec of specifiers(text)) {
      const where = `${path.relative(SRC, file)} imports '${spec}'`;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        const targetInEngine = target.startsWith(ENGINE + path.sep);
        if (inEngine && !targetInEngine) out.push(`${where}: the engine imports only engine files`);
        if (!inEngine && targetInEngine && target !== ENGINE_INDEX) out.push(`${where}: outside the engine, import src/engine/index.ts`);
      } else if (inEngine && !spec.startsWith('node:') && !ENGINE_PACKAGES.has(spec)) {
        out.push(`${where}: the engine uses Node's built-ins and ${[...ENGINE_PACKAGES].join(', ')} only`);
      }
    }
    for (const load of computedLoads(text)) out.push(`${path.relative(SRC, file)} imports by a computed name (${load}): name the module literally`);
  }
  return out;
}

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

describe('import boundaries of src/', () => {
  const files = sourceFiles(SRC);

  it('reads the whole tree, with the imports it has', () => {
    expect(files.length).toBeGreaterThan(100);
    const main = files.find((f) => f.file === path.join(SRC, 'main.ts'))!;
    expect(specifiers(main.text).length).toBeGreaterThan(0);
    const index = files.find((f) => f.file === ENGINE_INDEX)!;
    expect(specifiers(index.text)).toContain('./commands/backup.ts');
  });

  it('keeps the engine pure and reached through its index only', () => {
    expect(violations(files)).toEqual([]);
  });

  it('reports each kind of violation', () => {
    const fake = (rel: string, text: string): SourceFile => ({ file: path.join(SRC, rel), text });
    const found = violations([
      fake('engine/commands/x.ts', "import { openStorage } from '../../backends/open-storage.ts';"),
      fake('engine/commands/y.ts', "import * as core from '@actions/core';"),
      fake('engine/commands/z.ts', "const w = new Worker(new URL('../../cli/w.ts', import.meta.url));"),
      fake('cli/a.ts', "import type { Repository } from '../engine/repository/repository.ts';"),
      fake('action/b.ts', "export { backup } from '../engine/commands/backup.ts';"),
      fake('backends/c.ts', "const m = await import('../engine/format/id.ts');"),
      fake('engine/d.ts', "export * from '../cli/x.ts';"),
      fake('cli/e.ts', 'const m = await import(`../engine/format/id.ts`);'),
      fake('engine/f.ts', 'const m = await import(`../${place}/x.ts`);'),
      fake('cli/g.ts', "const { x } = require('../engine/format/id.ts');"),
      fake('engine/h.ts', "const w = new Worker(workerUrl(import.meta.url, '../cli/w'));"),
      fake('cli/comment.ts', "// import { x } from '../engine/format/id.ts';"),
      fake('cli/ok.ts', "import { backup, type BackupOptions } from '../engine/index.ts';"),
      fake('engine/ok.ts', "import { x } from './support/bytes.ts';\nimport { createHash } from 'node:crypto';"),
    ]);
    expect(found.map((v) => v.split(' imports ')[0])).toEqual([
      'engine/commands/x.ts',
      'engine/commands/y.ts',
      'engine/commands/z.ts',
      'cli/a.ts',
      'action/b.ts',
      'backends/c.ts',
      'engine/d.ts',
      'cli/e.ts',
      'engine/f.ts',
      'cli/g.ts',
      'engine/h.ts',
    ]);
  });
});

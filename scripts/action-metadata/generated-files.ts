/** Every file (or part of one) derived from action.yml, with the content it should have now. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ChunkvaultError, ErrorCode } from '../../src/engine/index.ts';
import { readActionMetadata, REPOSITORY_ROOT } from './action-metadata.ts';
import { INPUT_TABLE_MODULE, renderInputTableModule } from './input-table-module.ts';
import { renderReadme } from './readme-tables.ts';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  expected: string;
  actual: string | undefined;
}

export function generatedFiles(root: string = REPOSITORY_ROOT): GeneratedFile[] {
  const metadata = readActionMetadata(path.join(root, 'action.yml'));
  const readme = readText(root, 'README.md');
  if (readme === undefined) throw new ChunkvaultError(ErrorCode.InvalidInput, 'README.md is missing');
  return [
    { path: 'README.md', expected: renderReadme(readme, metadata), actual: readme },
    { path: INPUT_TABLE_MODULE, expected: renderInputTableModule(metadata), actual: readText(root, INPUT_TABLE_MODULE) },
  ];
}

function readText(root: string, file: string): string | undefined {
  try {
    return readFileSync(path.join(root, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

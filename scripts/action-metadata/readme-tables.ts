/**
 * The README's inputs and outputs tables, rendered from action.yml and written between
 * marker comments so that the prose around them stays hand-written.
 */
import type { ActionInput, ActionMetadata, ActionOutput, ModeScope } from './action-metadata.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/index.ts';

/** The README with both tables replaced by what action.yml says. */
export function renderReadme(readme: string, metadata: ActionMetadata): string {
  const withInputs = replaceBetweenMarkers(readme, 'inputs', inputsTable(metadata.inputs));
  return replaceBetweenMarkers(withInputs, 'outputs', outputsTable(metadata.outputs));
}

export function inputsTable(inputs: readonly ActionInput[]): string {
  return table(
    ['input', 'modes', 'default', 'meaning'],
    inputs.map((i) => [code(i.name), modesCell(i.modes), defaultCell(i), i.description]),
  );
}

export function outputsTable(outputs: readonly ActionOutput[]): string {
  return table(
    ['output', 'modes', 'meaning'],
    outputs.map((o) => [code(o.name), modesCell(o.modes), o.description]),
  );
}

export function startMarker(name: string): string {
  return `<!-- ${name}: generated from action.yml by \`npm run docs\`, edit action.yml instead -->`;
}

export function endMarker(name: string): string {
  return `<!-- /${name} -->`;
}

function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = text.indexOf(startMarker(name));
  const end = text.indexOf(endMarker(name));
  if (start < 0 || end < start) {
    throw new ChunkvaultError(ErrorCode.InvalidInput, `README.md: the ${name} table needs the lines '${startMarker(name)}' and, after it, '${endMarker(name)}'`);
  }
  return `${text.slice(0, start + startMarker(name).length)}\n${content}\n${text.slice(end)}`;
}

function modesCell(modes: ModeScope): string {
  return modes === 'all' ? 'all' : modes.join(', ');
}

function defaultCell(input: ActionInput): string {
  if (input.default !== undefined) return input.default === '' ? '(empty)' : code(input.default);
  return input.required ? '(required)' : '';
}

function code(text: string): string {
  return `\`${text}\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `|${cells.map((c) => (c === '' ? ' ' : ` ${cell(c)} `)).join('|')}|`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** One table cell: a pipe would end the cell and a newline the row. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

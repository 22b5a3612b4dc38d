/**
 * action.yml read as the single description of the action's inputs and outputs. Each
 * description begins with the modes that read the input (or write the output) in brackets,
 * `[backup, restore]`, or `[all]` for every mode: the runner accepts no extra fields, and
 * the tag is also what a person reading action.yml needs to know first.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { MODES, type Mode } from '../../src/action/constants.ts';
import { ChunkvaultError, ErrorCode } from '../../src/engine/index.ts';

export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');
export const ACTION_YML = path.join(REPOSITORY_ROOT, 'action.yml');

/** The modes an input or output concerns; 'all' for every mode. */
export type ModeScope = 'all' | readonly Mode[];

export interface ActionInput {
  name: string;
  modes: ModeScope;
  /** The description without its mode tag. */
  description: string;
  default?: string;
  required: boolean;
}

export interface ActionOutput {
  name: string;
  modes: ModeScope;
  description: string;
}

export interface ActionMetadata {
  /** In action.yml's order. */
  inputs: ActionInput[];
  outputs: ActionOutput[];
}

export function readActionMetadata(file: string = ACTION_YML): ActionMetadata {
  return parseActionMetadata(readFileSync(file, 'utf8'));
}

export function parseActionMetadata(text: string): ActionMetadata {
  const document: unknown = parse(text);
  const inputs = Object.entries(section(document, 'inputs')).map(([name, spec]): ActionInput => {
    const fields = record(spec, `input '${name}'`);
    const { modes, description } = splitModeTag(stringField(fields, 'description', `input '${name}'`), `input '${name}'`);
    const input: ActionInput = { name, modes, description, required: fields.required === true };
    if (fields.default !== undefined) input.default = String(fields.default);
    return input;
  });
  const outputs = Object.entries(section(document, 'outputs')).map(([name, spec]): ActionOutput => {
    const fields = record(spec, `output '${name}'`);
    return { name, ...splitModeTag(stringField(fields, 'description', `output '${name}'`), `output '${name}'`) };
  });
  return { inputs, outputs };
}

/** `[forget, prune] Decide and report.` → modes forget and prune, description `Decide and report.` */
function splitModeTag(description: string, what: string): { modes: ModeScope; description: string } {
  const match = /^\[([^\]]*)\]\s+(\S[\s\S]*)$/.exec(description.trim());
  if (!match) throw malformed(`${what}: the description must begin with the modes that use it, e.g. '[backup, restore] ...' or '[all] ...'`);
  const names = match[1]!.split(',').map((m) => m.trim());
  const rest = match[2]!;
  if (names.length === 1 && names[0] === 'all') return { modes: 'all', description: rest };
  const modes = names.map((m) => {
    if (!(MODES as readonly string[]).includes(m)) throw malformed(`${what}: '${m}' is not a mode (${MODES.join(', ')}, or 'all')`);
    return m as Mode;
  });
  if (new Set(modes).size !== modes.length) throw malformed(`${what}: a mode is listed twice in [${match[1]}]`);
  return { modes, description: rest };
}

function section(document: unknown, key: string): Record<string, unknown> {
  return record(record(document, 'action.yml')[key], `action.yml '${key}'`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} must be a mapping`);
  return value as Record<string, unknown>;
}

function stringField(fields: Record<string, unknown>, key: string, what: string): string {
  const value = fields[key];
  if (typeof value !== 'string' || value.trim() === '') throw malformed(`${what} needs a '${key}'`);
  return value;
}

function malformed(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, `action.yml: ${message}`);
}

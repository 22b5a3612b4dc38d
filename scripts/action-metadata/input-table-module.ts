/**
 * src/action/action-inputs.ts rendered from action.yml: the inputs each mode reads and their
 * defaults, as plain data, so that the action's bundle needs no YAML parser.
 */
import type { ActionMetadata, ModeScope } from './action-metadata.ts';

export const INPUT_TABLE_MODULE = 'src/action/action-inputs.ts';

export function renderInputTableModule(metadata: ActionMetadata): string {
  const inputs = metadata.inputs.map((i) => {
    const fields = [`modes: ${modesLiteral(i.modes)}`];
    if (i.default !== undefined) fields.push(`default: ${quote(i.default)}`);
    fields.push(`required: ${i.required}`);
    return `  ${quote(i.name)}: { ${fields.join(', ')} },`;
  });
  const outputs = metadata.outputs.map((o) => `  ${quote(o.name)},`);
  return `// Generated from action.yml by \`npm run docs\`: edit action.yml and regenerate, not this file.

/**
 * How the action reads one input: the modes that read it ('all': every mode) and
 * action.yml's default. Mode names are plain strings here, so that this file depends on
 * nothing; the generator accepts only constants.ts's MODES.
 */
export interface ActionInputSpec {
  readonly modes: 'all' | readonly string[];
  readonly default?: string;
  readonly required: boolean;
}

/** action.yml's inputs, in its order. */
export const ACTION_INPUTS = {
${inputs.join('\n')}
} as const satisfies Readonly<Record<string, ActionInputSpec>>;

export type ActionInputName = keyof typeof ACTION_INPUTS;

/** action.yml's outputs, in its order. */
export const ACTION_OUTPUTS = [
${outputs.join('\n')}
] as const;

export type ActionOutputName = (typeof ACTION_OUTPUTS)[number];
`;
}

function modesLiteral(modes: ModeScope): string {
  return modes === 'all' ? quote('all') : `[${modes.map(quote).join(', ')}]`;
}

/** A single-quoted TypeScript string literal, the house style. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

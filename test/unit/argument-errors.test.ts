import { describe, expect, it } from 'vitest';
import { describeArgumentError, joinNegativeValues } from '../../src/cli/argument-errors.ts';

const FLAGS = {
  'keep-last': { type: 'string', short: 'l' },
  latest: { type: 'string' },
  target: { type: 'string', short: 't' },
  overwrite: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const explain = (args: string[]) => describeArgumentError(args, FLAGS, 'forget', 'Node says no');

describe('command-line mistakes', () => {
  it('passes a negative number to its flag as a value, for the flag to refuse', () => {
    expect(joinNegativeValues(['--keep-last', '-3', 'x'], FLAGS)).toEqual(['--keep-last=-3', 'x']);
    expect(joinNegativeValues(['-l', '-3'], FLAGS)).toEqual(['--keep-last=-3']);
    // Only values: a flag that takes none, and anything after `--`, stay as written.
    expect(joinNegativeValues(['--overwrite', '-3'], FLAGS)).toEqual(['--overwrite', '-3']);
    expect(joinNegativeValues(['--', '--keep-last', '-3'], FLAGS)).toEqual(['--', '--keep-last', '-3']);
  });

  it('names an unknown flag, the flag it most likely meant, and where help is', () => {
    expect(explain(['--lastest', '1'])).toBe("unknown flag --lastest (did you mean --latest?); see 'chunkvault forget --help'");
    expect(explain(['--frobnicate'])).toBe("unknown flag --frobnicate; see 'chunkvault forget --help'");
    expect(explain(['-z'])).toBe("unknown flag -z; see 'chunkvault forget --help'");
  });

  it('names a flag that lacks its value, or has one it does not take', () => {
    expect(explain(['--target'])).toBe("--target needs a value; see 'chunkvault forget --help'");
    expect(explain(['-t'])).toBe("-t needs a value; see 'chunkvault forget --help'");
    expect(explain(['--target', '-q'])).toBe("--target needs a value, but -q follows it (to give a value starting with '-', write --target=-q); see 'chunkvault forget --help'");
    expect(explain(['--overwrite=yes'])).toBe("--overwrite takes no value, got 'yes': give --overwrite alone to turn it on; see 'chunkvault forget --help'");
  });

  it("falls back to Node's first line when no flag is to blame", () => {
    expect(explain(['--target=x', 'pos', '--', '--whatever'])).toBe("Node says no; see 'chunkvault forget --help'");
  });
});

/** Splitting an option value into arguments as a shell would (-o rclone.args=...), and the -o options the CLI takes. */
import { describe, expect, it } from 'vitest';
import { rcloneOptions } from '../../src/cli/globals.ts';
import { splitShellWords } from '../../src/cli/shell-words.ts';

describe('splitShellWords', () => {
  it('splits on blanks and keeps quoted text whole', () => {
    expect(splitShellWords('serve restic --stdio  --b2-hard-delete', 'x')).toEqual(['serve', 'restic', '--stdio', '--b2-hard-delete']);
    expect(splitShellWords(`serve restic --stdio --config '/my dir/rclone.conf' --bwlimit "1M 2M"`, 'x')).toEqual([
      'serve',
      'restic',
      '--stdio',
      '--config',
      '/my dir/rclone.conf',
      '--bwlimit',
      '1M 2M',
    ]);
  });

  it('takes backslashes as a shell does: literal in single quotes, escaping quote and backslash in double quotes and anything outside', () => {
    expect(splitShellWords(String.raw`a\ b 'c\d' "e\"f\\g\h"`, 'x')).toEqual(['a b', String.raw`c\d`, String.raw`e"f\g\h`]);
    expect(splitShellWords(`'' x"y"z`, 'x')).toEqual(['', 'xyz']);
    expect(splitShellWords('  ', 'x')).toEqual([]);
  });

  it('refuses an unclosed quote, naming the option', () => {
    expect(() => splitShellWords(`serve 'restic`, '-o rclone.args')).toThrow("-o rclone.args: a single quote is not closed");
    expect(() => splitShellWords(`serve "restic`, '-o rclone.args')).toThrow('double quote');
  });
});

describe('rcloneOptions (-o)', () => {
  it("reads restic's rclone.program and rclone.args", () => {
    expect(rcloneOptions([])).toEqual({});
    expect(rcloneOptions(['rclone.program=/opt/rclone/rclone', "rclone.args=serve restic --stdio --config '/etc/my rclone.conf'"])).toEqual({
      program: '/opt/rclone/rclone',
      args: ['serve', 'restic', '--stdio', '--config', '/etc/my rclone.conf'],
    });
  });

  it('refuses anything else in one line that names the flag and what it takes', () => {
    expect(() => rcloneOptions(['rclone.timeout=1m'])).toThrow('-o rclone.timeout=1m: unknown option; chunkvault takes -o rclone.program=PATH and -o rclone.args=ARGS');
    expect(() => rcloneOptions(['rclone.program'])).toThrow(/needs NAME=VALUE/);
    expect(() => rcloneOptions(['rclone.args= '])).toThrow(/needs NAME=VALUE/);
  });
});

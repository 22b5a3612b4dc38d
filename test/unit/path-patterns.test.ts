/** restic's pattern language: Go's glob syntax and its errors, negation, case, pattern files. */
import { describe, expect, it } from 'vitest';
import { parsePathPatterns } from '../../src/engine/filter/patterns.ts';
import { patternFileLines } from '../../src/engine/filter/pattern-file.ts';

describe('path patterns', () => {
  it.each([
    ['[', 'a "[" is not closed'],
    ['[a', 'a "[" is not closed'],
    ['[]', 'a character class has a "]" where a character belongs (escape it with \\)'],
    ['[a-]', 'a character class has a "]" where a character belongs (escape it with \\)'],
    ['x\\', 'it ends with a lone backslash'],
  ])('refuses %j as Go does: %s', (pattern, why) => {
    expect(() => parsePathPatterns([pattern], 'exclude')).toThrow(`exclude: invalid pattern ${JSON.stringify(pattern)} (${why})`);
  });

  it('names every malformed pattern at once', () => {
    expect(() => parsePathPatterns(['ok', '[', 'b[', '*.log'], '--exclude')).toThrow(
      '--exclude: invalid patterns "[" (a "[" is not closed), "b[" (a "[" is not closed)',
    );
  });

  it.each([
    ['\\*', '/x/*', true],
    ['[\\]]', '/x/]', true],
    ['[z-a]', '/x/m', false],
    ['[^a-c]x', '/q/dx', true],
    ['*', '/', false],
    ['/', '/any/thing', true],
  ])('%j against %j: %s', (pattern, p, expected) => {
    expect(parsePathPatterns([pattern], 'exclude').matches(p)).toBe(expected);
  });

  it('takes back with a later negation, and a later positive pattern excludes again', () => {
    const p = parsePathPatterns(['*.log', '!keep.log', 'keep.log'], 'exclude');
    expect(p.matches('/a/x.log')).toBe(true);
    expect(p.matches('/a/keep.log')).toBe(true);
    expect(parsePathPatterns(['*.log', '!keep.log'], 'exclude').matches('/a/keep.log')).toBe(false);
  });

  it('compares in lower case when asked', () => {
    expect(parsePathPatterns(['README*'], 'iexclude', { ignoreCase: true }).matches('/a/readme.md')).toBe(true);
    expect(parsePathPatterns(['README*'], 'exclude').matches('/a/readme.md')).toBe(false);
  });
});

describe('pattern files', () => {
  it('trims, skips blanks and comments, expands variables as Go os.Expand', () => {
    const text = '# comment\n\n  build  \r\n*.$EXT\n${EXT}-x\n$$HOME\n$UNSET/y\na$.b\n';
    expect(patternFileLines(text, { EXT: 'md' })).toEqual(['build', '*.md', 'md-x', '$HOME', '/y', 'a$.b']);
  });
});

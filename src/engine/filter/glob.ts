/**
 * One path component against one glob, with Go's filepath.Match syntax (what restic's
 * patterns use): `*` any run of characters, `?` one character, `[a-z]` / `[^a-z]`
 * classes of code points, `\` escaping the next character. A malformed glob (an
 * unclosed or empty class, a range without an end, a trailing backslash) is an error
 * here, as ErrBadPattern is in Go, so that it is refused before it can match nothing.
 */

export class BadGlobError extends Error {}

/** Compiles a glob to an anchored RegExp over one component; throws BadGlobError. */
export function compileGlob(glob: string): RegExp {
  const chars = Array.from(glob);
  let re = '';
  let i = 0;
  /** Go's getEsc: one class character, unescaped; '-' and ']' may not stand alone. */
  const classChar = (): number => {
    let c = chars[i];
    if (c === undefined) throw new BadGlobError('a "[" is not closed');
    if (c === '-' || c === ']') throw new BadGlobError(`a character class has a "${c}" where a character belongs (escape it with \\)`);
    if (c === '\\') {
      c = chars[++i];
      if (c === undefined) throw new BadGlobError('a character class ends with a backslash');
    }
    i++;
    if (i >= chars.length) throw new BadGlobError('a "[" is not closed');
    return c.codePointAt(0)!;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw new BadGlobError('it ends with a lone backslash');
      re += literal(next);
      i += 2;
    } else if (c === '[') {
      i++;
      let negated = false;
      if (chars[i] === '^') {
        negated = true;
        i++;
      }
      let ranges = '';
      let count = 0;
      for (;;) {
        if (chars[i] === ']' && count > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          hi = classChar();
        }
        // An inverted range (z-a) matches nothing in Go; a RegExp would refuse it.
        ranges += hi < lo ? '' : `\\u{${lo.toString(16)}}-\\u{${hi.toString(16)}}`;
        count++;
      }
      re += negated ? `[^/${ranges}]` : ranges === '' ? '(?!)' : `[${ranges}]`;
    } else {
      re += literal(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 'su');
}

function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * Splits a command line into words as a POSIX shell would, without expanding anything:
 * blanks separate words, '…' keeps everything literally, "…" keeps everything but `\"`
 * and `\\`, and a backslash outside quotes takes the next character literally. For
 * option values that hold several arguments (`-o rclone.args=…`).
 */
import { ChunkvaultError, ErrorCode } from '../engine/index.ts';

export function splitShellWords(text: string, what: string): string[] {
  const words: string[] = [];
  let word = '';
  /** Whether a word has begun: `''` is a word, blanks are not. */
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i]!;
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < text.length) word += text[++i]!;
      else word += c;
    }
  }
  if (quote) throw new ChunkvaultError(ErrorCode.InvalidInput, `${what}: a ${quote === "'" ? 'single' : 'double'} quote is not closed`);
  if (inWord) words.push(word);
  return words;
}

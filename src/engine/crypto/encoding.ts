/** Text encodings as Go's encoding/json writes and reads them (key files, master key). */

/** Standard alphabet, `=` padding: what Go's `[]byte` JSON fields use. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard padded base64 as Go's `base64.StdEncoding` does: URL-safe characters,
 * missing padding and other junk are rejected (Node's own decoder would skip them);
 * CR and LF are ignored, as Go ignores them. Returns undefined when the text is invalid.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const s = text.includes('\r') || text.includes('\n') ? text.replace(/[\r\n]/g, '') : text;
  if (!STD_BASE64.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const HEX = '0123456789abcdef';

function unicodeEscape(c: number): string {
  return `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
}

/**
 * A JSON string literal exactly as Go 1.19's encoding/json writes it: `<`, `>`, `&`,
 * U+2028, U+2029 and control characters other than \n \r \t as lowercase \u00XX, and
 * text that is not valid Unicode (a lone surrogate here, invalid UTF-8 in Go) as \ufffd.
 */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += unicodeEscape(c);
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/**
 * A time as Go's `time.Time` JSON encoding writes it (RFC 3339 with the fraction's
 * trailing zeros removed), in UTC. Returns undefined outside Go's range (years 0..9999).
 */
export function goJsonTime(t: Date): string | undefined {
  const ms = t.getTime();
  if (!Number.isFinite(ms)) return undefined;
  const year = t.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const iso = t.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ for years 0..9999
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : '.' + fraction}Z`;
}

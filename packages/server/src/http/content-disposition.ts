/**
 * `Content-Disposition: attachment` for downloads, per RFC 6266 with the RFC 8187 (ex-5987)
 * `filename*` for non-ASCII names and a plain ASCII `filename` fallback for old clients.
 * The greenbytes tc2231 cases (http://test.greenbytes.de/tech/tc2231/) are the test corpus.
 */

/** RFC 8187 attr-char: what may appear unencoded in `filename*`. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

export function contentDisposition(filename: string): string {
  return `attachment; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encodeRfc8187(filename)}`;
}

/** Printable ASCII only; quote and backslash (special in quoted-string) and `%` become `_`. */
function asciiFallback(filename: string): string {
  let out = '';
  for (const ch of filename) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0x20 && code <= 0x7e && ch !== '"' && ch !== '\\' && ch !== '%' ? ch : '_';
  }
  return out === '' ? 'download' : out;
}

function encodeRfc8187(filename: string): string {
  let out = '';
  for (const byte of Buffer.from(filename, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

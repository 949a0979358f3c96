/**
 * Deciding a file's `mime_type`.
 *
 * The official SDK sends `application/octet-stream` for streams and Buffers (docs/wire.md §3), and users
 * then hit "Unsupported document file format" when the file is used (reported against the
 * official SDKs, e.g. anthropic-sdk-ruby issue #128). So a declared type is trusted only when it says something; otherwise
 * the content's magic bytes decide, then the filename's extension, then a UTF-8 text check.
 */

const OCTET_STREAM = 'application/octet-stream';
const TEXT_PLAIN = 'text/plain';
/** How many leading bytes detection looks at. */
export const SNIFF_BYTES = 4096;

/** RFC 9110 §8.3.1 media-type: token "/" token *( OWS ";" OWS parameter ). Kept loose on params. */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;\s*[^\x00-\x1f\x7f;]+)*$/;

/** True when `value` is a syntactically valid media type of at most 255 characters. */
export function isValidMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value);
}

export interface MimeTypeInput {
  /** The part's Content-Type, if any. */
  declared: string | undefined;
  /** The final filename (may be undefined before `unnamed` is chosen). */
  filename: string | undefined;
  /** The first bytes of the content (up to SNIFF_BYTES). */
  head: Uint8Array;
}

export function decideMimeType({ declared, filename, head }: MimeTypeInput): string {
  const normalised = declared?.trim().toLowerCase();
  const weak = normalised === undefined || normalised === '' || normalised === OCTET_STREAM || normalised === TEXT_PLAIN;
  if (!weak) return normalised;
  const sniffed = sniffMagic(head);
  if (sniffed) return refineWithExtension(sniffed, filename);
  // RFC 7578 §4.4 makes text/plain the default of a part with no Content-Type, and the multipart
  // parser reports it that way, so text/plain is kept only when nothing stronger is known.
  if (normalised === TEXT_PLAIN) return TEXT_PLAIN;
  return typeForFilename(filename) ?? (looksLikeText(head) ? TEXT_PLAIN : OCTET_STREAM);
}

/** The extension to give an unnamed file of this type (`unnamed.pdf`), or '' if none is known. */
export function extensionForMimeType(mimeType: string): string {
  const essence = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  for (const [ext, type] of EXTENSIONS) if (type === essence) return `.${ext}`;
  return '';
}

/** The type implied by a filename's extension, if it is one we know. */
export function typeForFilename(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const dot = filename.lastIndexOf('.');
  if (dot <= 0 || dot === filename.length - 1) return undefined;
  return EXTENSIONS_BY_NAME.get(filename.slice(dot + 1).toLowerCase());
}

// --- Internal helpers ---

/** Ordered: the first extension listed for a type is the one `extensionForMimeType` picks. */
const EXTENSIONS: ReadonlyArray<readonly [string, string]> = [
  ['pdf', 'application/pdf'],
  ['txt', 'text/plain'],
  ['text', 'text/plain'],
  ['log', 'text/plain'],
  ['md', 'text/markdown'],
  ['markdown', 'text/markdown'],
  ['csv', 'text/csv'],
  ['tsv', 'text/tab-separated-values'],
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['css', 'text/css'],
  ['xml', 'application/xml'],
  ['json', 'application/json'],
  ['jsonl', 'application/jsonl'],
  ['ndjson', 'application/jsonl'],
  ['yaml', 'application/yaml'],
  ['yml', 'application/yaml'],
  ['js', 'text/javascript'],
  ['mjs', 'text/javascript'],
  ['ts', 'text/plain'],
  ['py', 'text/x-python'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
  ['svg', 'image/svg+xml'],
  ['bmp', 'image/bmp'],
  ['tif', 'image/tiff'],
  ['tiff', 'image/tiff'],
  ['zip', 'application/zip'],
  ['gz', 'application/gzip'],
  ['tar', 'application/x-tar'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['odt', 'application/vnd.oasis.opendocument.text'],
  ['epub', 'application/epub+zip'],
  ['mp3', 'audio/mpeg'],
  ['wav', 'audio/wav'],
  ['mp4', 'video/mp4'],
  ['parquet', 'application/vnd.apache.parquet'],
  ['bin', OCTET_STREAM],
];
const EXTENSIONS_BY_NAME = new Map(EXTENSIONS);

/** Containers whose magic bytes (ZIP) say less than the extension does (OOXML, EPUB, ODF). */
const ZIP_FAMILY = new Set(['docx', 'xlsx', 'pptx', 'odt', 'epub']);

function sniffMagic(head: Uint8Array): string | undefined {
  const starts = (sig: readonly number[], offset = 0): boolean =>
    head.length >= offset + sig.length && sig.every((b, i) => head[offset + i] === b);
  const ascii = (text: string, offset = 0): boolean =>
    starts(Array.from(text, (c) => c.charCodeAt(0)), offset);

  if (ascii('%PDF-')) return 'application/pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii('GIF87a') || ascii('GIF89a')) return 'image/gif';
  if (ascii('RIFF') && ascii('WEBP', 8)) return 'image/webp';
  if (ascii('RIFF') && ascii('WAVE', 8)) return 'audio/wav';
  if (starts([0x1f, 0x8b])) return 'application/gzip';
  if (ascii('PK\x03\x04')) return 'application/zip';
  if (ascii('ID3')) return 'audio/mpeg';
  if (ascii('ftyp', 4)) return 'video/mp4';
  if (ascii('BM') && head.length >= 14) return 'image/bmp';
  if (ascii('PAR1')) return 'application/vnd.apache.parquet';
  return undefined;
}

/** ZIP magic loses to a more specific container extension (a .docx is a ZIP, but say docx). */
function refineWithExtension(sniffed: string, filename: string | undefined): string {
  if (sniffed !== 'application/zip' || !filename) return sniffed;
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return ZIP_FAMILY.has(ext) ? (EXTENSIONS_BY_NAME.get(ext) ?? sniffed) : sniffed;
}

/** Valid UTF-8 with no NUL and few control characters: call it text. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let controls = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) controls++;
  }
  if (controls > head.length / 100) return false;
  try {
    // A multi-byte sequence cut at the sniff boundary is not an error: drop up to 3 trailing bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
    return true;
  } catch {
    return false;
  }
}

function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = bytes[end - i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if ((b & 0xc0) === 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (i < need) end -= i; // the lead byte's sequence is incomplete
    }
    break;
  }
  return bytes.subarray(0, end);
}

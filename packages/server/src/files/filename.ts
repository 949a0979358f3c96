/**
 * Upload filename rules, from the Files guide ("Error handling") and the GA upload doc
 * (docs/wire.md §3): only the final path component is kept; 1–255 characters; `< > : " | ? * \ /` and
 * Unicode 0–31 are rejected with 400; an absent or empty name becomes `unnamed` plus the extension
 * of the stored type. The name is metadata only: storage paths never derive from it.
 *
 * Cabinet refuses more than the wire's C0 controls, the same way (400, never silently rewritten, so
 * the stored name is always the name sent): DEL and the C1 controls (U+007F–U+009F), which
 * terminals interpret as escape sequences, and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which make a name display differently from what it is
 * (`invoice\u202Efdp.exe` shows as `invoiceexe.pdf`; CVE-2021-42574, "Trojan Source").
 */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { InvalidRequestError } from '../errors.js';
import { extensionForMimeType } from './mime-type.js';

const FORBIDDEN = /[<>:"|?*\\/\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const SHOWN_AS_CODE_POINT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** The final path component of a client-supplied name ('' when there is none). */
export function finalPathComponent(raw: string): string {
  const cut = Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\'));
  return cut === -1 ? raw : raw.slice(cut + 1);
}

/**
 * Checks a client-supplied filename and returns the name to store, or `undefined` when the name is
 * absent or empty and `unnamedFilename` must supply one once the type is known.
 * @throws InvalidRequestError (`invalid_filename`) naming what is wrong.
 */
export function checkFilename(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = finalPathComponent(raw);
  if (name === '') return undefined;
  const chars = [...name].length;
  if (chars > WIRE_LIMITS.filenameMaxChars) {
    throw invalid(`filename is ${chars} characters long; the maximum is ${WIRE_LIMITS.filenameMaxChars}.`);
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    const char = bad[0];
    const shown = SHOWN_AS_CODE_POINT.test(char)
      ? `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
      : `'${char}'`;
    throw invalid(`filename contains the forbidden character ${shown}; < > : " | ? * \\ /, control characters and bidirectional overrides are not allowed.`);
  }
  if (name === '.' || name === '..') throw invalid(`filename '${name}' is not a file name.`);
  return name;
}

/** `unnamed` plus the extension for the stored type, e.g. `unnamed.pdf` (GA upload doc). */
export function unnamedFilename(mimeType: string): string {
  return `unnamed${extensionForMimeType(mimeType)}`;
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError(message, { code: 'invalid_filename', details: { parameter: 'file.filename' } });
}

/**
 * A file name chosen by a server, made safe to create on the local file system: the server may be
 * any Files API (or an attacker's), and its `filename` may hold anything.
 */

/** Longest name kept, in UTF-8 bytes: file systems allow 255, and `.partial` files add a suffix. */
const MAX_NAME_BYTES = 200;

/**
 * - only the last path component (`/` and `\` both separate), so nothing is written elsewhere;
 * - control characters (bidirectional ones too) and characters Windows forbids (`<>:"|?*`) become `_`;
 * - a leading dot becomes `_`: no hidden file, no `.bashrc` or `.ssh` by surprise;
 * - `.`, `..` and empty names (after the above) become `fallback` (the file id);
 * - at most 200 UTF-8 bytes, the extension kept.
 */
export function safeFilename(name: string, fallback: string): string {
  let safe = name.split(/[/\\]/).filter((part) => part !== '').at(-1) ?? '';
  safe = safe.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*]/g, '_').trim();
  if (/^\.+$/.test(safe) || safe === '') return fallback;
  safe = safe.replace(/^\./, '_');
  return truncateUtf8(safe, MAX_NAME_BYTES);
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = name.slice(0, name.length - ext.length);
  const budget = maxBytes - Buffer.byteLength(ext);
  // Cut whole code points (never half of a surrogate pair) until the stem fits.
  const points = Array.from(stem);
  while (points.length > 0 && Buffer.byteLength(points.join('')) > budget) points.pop();
  stem = points.join('');
  return `${stem}${ext}`;
}

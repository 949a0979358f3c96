/**
 * Rendering for people (tables, sizes) and for scripts (`--json`). Text that came from a server
 * (file names, messages, key labels) goes through `printable` first: a name holding terminal
 * control sequences must not be able to rewrite the screen, hide itself or fake other output.
 */
import type { Writable } from 'node:stream';

export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

/**
 * C0 and C1 control characters, DEL, and the Unicode bidirectional controls (which reorder how a
 * line is displayed: "Trojan Source", CVE-2021-42574).
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as an escape (`\x1b`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** What JSON.stringify leaves raw of UNPRINTABLE (it escapes C0 itself; its own newlines are layout). */
const UNPRINTABLE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** JSON for scripts, with every control character escaped (`\u009b`: the same JSON value). */
export function printJson(io: Io, value: unknown): void {
  const json = JSON.stringify(value, null, 2).replace(UNPRINTABLE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  io.stdout.write(`${json}\n`);
}

/** A plain text table: a header row, then rows, columns padded to their widest cell. */
export function printTable(io: Io, header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const safe = rows.map((row) => row.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  io.stdout.write(`${[line(header), ...safe.map(line)].join('\n')}\n`);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

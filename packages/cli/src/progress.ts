/**
 * Transfer progress on stderr. On a terminal: one line redrawn in place with a bar, bytes, rate and
 * ETA, at most ten times a second. Elsewhere (pipes, CI logs): a start and an end line only, so
 * logs stay readable.
 */
import { formatBytes } from './output.js';
import type { Io } from './output.js';

export interface Progress {
  update(doneBytes: number, totalBytes: number | undefined): void;
  finish(message: string): void;
  fail(): void;
}

export function createProgress(io: Io, label: string, totalBytes: number | undefined, clock: () => number = Date.now): Progress {
  const tty = io.stderr.isTTY === true;
  const started = clock();
  let lastDraw = 0;
  let drawn = false;
  if (!tty) io.stderr.write(`${label}${totalBytes === undefined ? '' : ` (${formatBytes(totalBytes)})`}...\n`);

  const draw = (done: number, total: number | undefined): void => {
    const seconds = Math.max((clock() - started) / 1000, 0.001);
    const rate = done / seconds;
    const width = Math.max(10, Math.min(30, (io.stderr.columns ?? 80) - 60));
    let bar = '';
    let tail = `${formatBytes(done)}`;
    if (total !== undefined && total > 0) {
      const ratio = Math.min(done / total, 1);
      const filled = Math.round(ratio * width);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% `;
      const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
      tail = `${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
    } else {
      tail += `  ${formatBytes(rate)}/s`;
    }
    io.stderr.write(`\r\x1b[2K${label} ${bar}${tail}`);
    drawn = true;
  };

  return {
    update(done, total) {
      if (!tty) return;
      const now = clock();
      if (now - lastDraw < 100 && done !== total) return;
      lastDraw = now;
      draw(done, total ?? totalBytes);
    },
    finish(message) {
      if (tty && drawn) io.stderr.write('\r\x1b[2K');
      io.stderr.write(`${message}\n`);
    },
    fail() {
      if (tty && drawn) io.stderr.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Download to disk with resume and an integrity check (Node, Deno, Bun; node: modules are loaded
 * only when this runs, so the package still loads in browsers).
 *
 * Bytes go to `<path>.partial`. A broken connection is resumed with `Range: bytes=N-` and
 * `If-Range: <ETag>` (RFC 9110 §13.1.5): if the file changed the server answers 200 with everything
 * and the download restarts. A partial file left by an earlier run is picked up too. The SHA-256 of
 * what was written must match the server's `sha256` before the file is renamed onto `path`.
 */
import type { RequestOptions } from '../client.js';
import { APIConnectionError, CabinetError } from '../core/errors.js';
import { retryDelayMs, sleep } from '../core/retry.js';
import type { Files } from './files.js';

export interface DownloadToFileOptions extends RequestOptions {
  /** Called as bytes are written. */
  onProgress?: ((receivedBytes: number, totalBytes: number) => void) | undefined;
  /** How many broken connections to resume from. Default 5. */
  resumeAttempts?: number | undefined;
}

export interface DownloadToFileResult {
  path: string;
  sizeBytes: number;
  /** Hex SHA-256 of the written file (checked against the server's when it gives one). */
  sha256: string;
  /** How many times the download was resumed after a broken connection. */
  resumed: number;
}

/** The content's SHA-256 did not match the server's: the partial file was removed. */
export class IntegrityError extends CabinetError {
  override name = 'IntegrityError';
}

export async function downloadToFile(
  files: Files,
  fileId: string,
  path: string,
  options: DownloadToFileOptions = {},
): Promise<DownloadToFileResult> {
  const fsp = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  const meta = await files.retrieve(fileId, options);
  const total = meta.size_bytes;
  const partial = `${path}.partial`;
  let hash = createHash('sha256');
  let offset = 0;

  // Resume an earlier run's partial file: its bytes count, after being hashed again.
  const existing = await fsp.stat(partial).catch(() => undefined);
  if (existing && existing.size <= total) {
    const handle = await fsp.open(partial, 'r');
    for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) hash.update(chunk as Uint8Array);
    offset = existing.size;
  } else {
    await fsp.writeFile(partial, new Uint8Array(0));
  }

  const maxResumes = options.resumeAttempts ?? 5;
  let resumed = 0;
  while (offset < total) {
    try {
      const headers: Record<string, string> =
        offset > 0 ? { range: `bytes=${offset}-`, ...(meta.sha256 ? { 'if-range': `"${meta.sha256}"` } : {}) } : {};
      const response = await files.contentResponse(fileId, { ...options, headers: { ...options.headers, ...headers } });
      if (offset > 0 && response.status !== 206) {
        // The server sent the whole file (it changed, or ignores ranges): start over.
        hash = createHash('sha256');
        offset = 0;
        await fsp.writeFile(partial, new Uint8Array(0));
      }
      const out = await fsp.open(partial, 'a');
      try {
        const reader = response.body?.getReader();
        for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
          await out.write(r.value);
          hash.update(r.value);
          offset += r.value.byteLength;
          options.onProgress?.(offset, total);
        }
      } finally {
        await out.close();
      }
      if (offset < total) throw new APIConnectionError({ message: `the download ended after ${offset} of ${total} bytes` });
    } catch (err) {
      const broken = err instanceof APIConnectionError || (err instanceof TypeError && !options.signal?.aborted);
      if (!broken || resumed >= maxResumes) throw err;
      resumed++;
      await sleep(retryDelayMs(resumed - 1, undefined), options.signal);
    }
  }

  const sha256 = hash.digest('hex');
  if (meta.sha256 && sha256 !== meta.sha256) {
    await fsp.rm(partial, { force: true });
    throw new IntegrityError(`downloaded content of ${fileId} has SHA-256 ${sha256}, the server says ${meta.sha256}`);
  }
  await fsp.rename(partial, path);
  return { path, sizeBytes: offset, sha256, resumed };
}

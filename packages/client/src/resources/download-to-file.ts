/**
 * Download to disk with resume and an integrity check (Node, Deno, Bun; node: modules are loaded
 * only when this runs, so the package still loads in browsers).
 *
 * Bytes go to a partial file (`<path>.partial` unless told otherwise), opened once and written
 * through that one descriptor: it is created exclusively (O_EXCL), and an existing one is opened
 * without following a symbolic link (O_NOFOLLOW), so a link planted at that name can never make the
 * download write elsewhere. A broken connection is resumed with `Range: bytes=N-` and
 * `If-Range: <ETag>` (RFC 9110 §13.1.5): if the file changed the server answers 200 with everything
 * and the download restarts. A partial file left by an earlier run is picked up too (unless
 * `keepPartial: false` made that run remove it). The SHA-256 of what was written must match the
 * server's `sha256` before the partial file becomes `path`: renamed onto it, or, with
 * `overwrite: false`, hard-linked (which fails if `path` exists, atomically) and then unlinked.
 */
import type { FileHandle } from 'node:fs/promises';
import type { RequestOptions } from '../client.js';
import { APIConnectionError, CabinetError } from '../core/errors.js';
import { retryDelayMs, sleep } from '../core/retry.js';
import type { Files } from './files.js';

export interface DownloadToFileOptions extends RequestOptions {
  /** Called as bytes are written. */
  onProgress?: ((receivedBytes: number, totalBytes: number) => void) | undefined;
  /** How many broken connections to resume from. Default 5. */
  resumeAttempts?: number | undefined;
  /**
   * Replace `path` if it exists (as `fs.writeFile` does). Default true. With false, an existing
   * `path` fails the call with an `EEXIST` error, before any byte is fetched and again at the end.
   */
  overwrite?: boolean | undefined;
  /** Where the bytes go until they are verified. Default `<path>.partial`. */
  partialPath?: string | undefined;
  /**
   * Keep the partial file when the download fails, so that a later call resumes it. Default true;
   * false removes it on any failure. A partial file whose content fails the SHA-256 check is
   * always removed.
   */
  keepPartial?: boolean | undefined;
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
  const { constants } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const overwrite = options.overwrite ?? true;
  const partial = options.partialPath ?? `${path}.partial`;

  // Before any byte is fetched: a target that can never be written is refused now.
  const target = await fsp.lstat(path).catch(() => undefined);
  if (target?.isDirectory()) throw systemError('EISDIR', 'is a directory', path);
  if (target && !overwrite) throw systemError('EEXIST', 'already exists', path);

  const meta = await files.retrieve(fileId, options);
  const total = meta.size_bytes;
  let hash = createHash('sha256');
  let offset = 0;

  // O_NOFOLLOW is not defined on Windows, where symbolic links need privileges to create.
  const noFollow = constants.O_NOFOLLOW ?? 0;
  let handle: FileHandle;
  let created = true;
  try {
    handle = await fsp.open(partial, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | noFollow, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // An earlier run's partial file: resume it, if it is a regular file and not a link to one.
    handle = await fsp.open(partial, constants.O_RDWR | noFollow).catch((openErr: unknown) => {
      throw (openErr as NodeJS.ErrnoException).code === 'ELOOP' ? systemError('ELOOP', 'is a symbolic link; refusing to follow it', partial) : openErr;
    });
    created = false;
  }

  let keep = options.keepPartial ?? true;
  try {
    if (!created) {
      const existing = await handle.stat();
      if (!existing.isFile()) throw systemError('EINVAL', 'is not a regular file', partial);
      if (existing.size <= total) {
        // Its bytes count, after being hashed again.
        for await (const chunk of handle.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false })) hash.update(chunk as Uint8Array);
        offset = existing.size;
      } else {
        await handle.truncate(0);
      }
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
          await handle.truncate(0);
        }
        const reader = response.body?.getReader();
        for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
          await handle.write(r.value, 0, r.value.byteLength, offset);
          hash.update(r.value);
          offset += r.value.byteLength;
          options.onProgress?.(offset, total);
        }
        if (offset < total) throw new APIConnectionError({ message: `the download ended after ${offset} of ${total} bytes` });
      } catch (err) {
        const broken = err instanceof APIConnectionError || (err instanceof TypeError && !options.signal?.aborted);
        if (!broken || resumed >= maxResumes) throw err;
        resumed++;
        await sleep(retryDelayMs(resumed - 1, undefined), options.signal);
      }
    }
    await handle.close();

    const sha256 = hash.digest('hex');
    if (meta.sha256 && sha256 !== meta.sha256) {
      keep = false;
      throw new IntegrityError(`downloaded content of ${fileId} has SHA-256 ${sha256}, the server says ${meta.sha256}`);
    }
    await place(fsp, partial, path, overwrite);
    return { path, sizeBytes: offset, sha256, resumed };
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (!keep) await fsp.rm(partial, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Moves the verified partial file onto `path`; without `overwrite`, only if `path` does not exist. */
async function place(fsp: typeof import('node:fs/promises'), partial: string, path: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await fsp.rename(partial, path);
    return;
  }
  try {
    // link() never replaces an existing name: the check and the creation are one step.
    await fsp.link(partial, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw systemError('EEXIST', 'already exists', path);
    // File systems without hard links (FAT, some network mounts): check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (await fsp.lstat(path).then(() => true, () => false)) throw systemError('EEXIST', 'already exists', path);
    await fsp.rename(partial, path);
    return;
  }
  await fsp.unlink(partial);
}

/** An error shaped like Node's own file-system errors (`code`, `path`). */
function systemError(code: string, what: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path} ${what}`), { code, path });
}

/**
 * Uploads past the server's single-request limit, through resumable uploads (`/v1/uploads`: the
 * OpenAI Uploads life cycle in Cabinet's Anthropic dialect, docs/openai.md): create with the size,
 * send parts of `partBytes` from the file, `concurrency` at a time, then complete them in order.
 *
 * Resume: each part is a slice of the file (a Blob, replayable), so a part whose connection broke
 * is sent again (up to `partRetries` times, beyond the client's own retries); the parts already
 * stored stay stored. A completion whose answer was lost is asked about (`GET /v1/uploads/{id}`)
 * and, while the upload is pending again, completed again; a repeat of a successful completion
 * answers the same file, so nothing is made twice. On a final failure the upload is cancelled.
 */
import type { Cabinet, RequestOptions } from '../client.js';
import { APIConnectionError, APIError, APIUserAbortError } from '../core/errors.js';
import { sleep } from '../core/retry.js';
import { multipartBody } from '../uploads.js';
import type { UploadSource } from '../uploads.js';
import type { FileObject, FilePurpose, UploadObject, UploadPartObject } from '../wire.js';
import { UPLOAD_WIRE_LIMITS } from '../wire.js';

export interface ResumableOptions {
  /** Files larger than this go through resumable uploads. Default 500 MiB, the server's default single-request limit. */
  thresholdBytes?: number | undefined;
  /** Bytes per part (at most 64 MiB). Default 64 MiB. */
  partBytes?: number | undefined;
  /** Parts in flight at once. Default 4. */
  concurrency?: number | undefined;
  /** Extra attempts for a part whose connection broke, beyond the client's retries. Default 3. */
  partRetries?: number | undefined;
}

export const DEFAULT_RESUMABLE_THRESHOLD_BYTES = 500 * 1024 * 1024;

export interface ResumableUploadInput {
  source: UploadSource & { blob: Blob };
  purpose: FilePurpose | undefined;
  expiresInSeconds: number | undefined;
  onProgress: ((sentBytes: number, totalBytes: number | undefined) => void) | undefined;
}

/** Whether `source` is to go through resumable uploads: a Blob (replayable, sliceable) over the threshold. */
export function wantsResumable(source: UploadSource & { blob?: Blob | undefined }, options: ResumableOptions | undefined): source is UploadSource & { blob: Blob } {
  return source.blob !== undefined && source.blob.size > (options?.thresholdBytes ?? DEFAULT_RESUMABLE_THRESHOLD_BYTES);
}

export async function resumableUpload(
  client: Cabinet,
  input: ResumableUploadInput,
  options: ResumableOptions & RequestOptions = {},
): Promise<FileObject> {
  const { blob } = input.source;
  const partBytes = Math.min(Math.max(options.partBytes ?? UPLOAD_WIRE_LIMITS.maxPartBytes, 1), UPLOAD_WIRE_LIMITS.maxPartBytes);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const partRetries = options.partRetries ?? 3;
  const requestOptions: RequestOptions = { signal: options.signal, timeout: options.timeout, maxRetries: options.maxRetries, headers: options.headers };
  const json = (body: unknown): RequestSpecBody => () => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  const upload = await client.json<UploadObject>(
    {
      method: 'POST',
      path: '/v1/uploads',
      body: json({
        bytes: blob.size,
        filename: input.source.name,
        ...(input.source.type ? { mime_type: input.source.type } : {}),
        ...(input.purpose === undefined ? {} : { purpose: input.purpose }),
        ...(input.expiresInSeconds === undefined ? {} : { expires_in_seconds: input.expiresInSeconds }),
      }),
    },
    requestOptions,
  );
  const path = `/v1/uploads/${encodeURIComponent(upload.id)}`;
  try {
    const count = Math.max(1, Math.ceil(blob.size / partBytes));
    const partIds = new Array<string>(blob.size === 0 ? 0 : count);
    const sentPerPart = new Array<number>(partIds.length).fill(0);
    const report = (): void => input.onProgress?.(sentPerPart.reduce((a, b) => a + b, 0), blob.size);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < partIds.length; i = next++) {
        const slice = blob.slice(i * partBytes, Math.min(blob.size, (i + 1) * partBytes));
        const source: UploadSource = { name: 'part', type: 'application/octet-stream', size: slice.size, replayable: true, open: () => slice.stream() };
        for (let attempt = 0; ; attempt++) {
          try {
            const part = await client.json<UploadPartObject>(
              {
                method: 'POST',
                path: `${path}/parts`,
                replayable: true,
                body: () => {
                  const multipart = multipartBody(source, [], (sent) => {
                    sentPerPart[i] = sent;
                    report();
                  }, 'data');
                  return { body: multipart.body, headers: { 'content-type': multipart.contentType, 'content-length': String(multipart.contentLength) } };
                },
              },
              requestOptions,
            );
            partIds[i] = part.id;
            break;
          } catch (err) {
            sentPerPart[i] = 0;
            if (!(err instanceof APIConnectionError) || err instanceof APIUserAbortError || attempt >= partRetries) throw err;
            await sleep(500 * 2 ** attempt, options.signal);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, partIds.length)) }, worker));
    return await complete(client, path, partIds, requestOptions, options.signal);
  } catch (err) {
    // Best effort: its parts and its hold on the quota go now rather than when it expires.
    await client.request({ method: 'POST', path: `${path}/cancel` }, { maxRetries: 0 }).catch(() => undefined);
    throw err;
  }
}

type RequestSpecBody = () => { body: BodyInit; headers: Record<string, string> };

/** Completes, and learns the outcome if the answer is lost: a repeat never makes a second file. */
async function complete(client: Cabinet, path: string, partIds: string[], options: RequestOptions, signal: AbortSignal | undefined): Promise<FileObject> {
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await client.json<UploadObject>(
        { method: 'POST', path: `${path}/complete`, body: () => ({ body: JSON.stringify({ part_ids: partIds }), headers: { 'content-type': 'application/json' } }) },
        options,
      );
      if (!done.file) throw new Error(`upload completed without a file: ${JSON.stringify(done)}`);
      return done.file;
    } catch (err) {
      if (!(err instanceof APIConnectionError) || err instanceof APIUserAbortError || attempt >= 5) throw err;
      // The answer was lost: ask what became of the upload.
      const state = await client.json<UploadObject>({ method: 'GET', path }, options).catch(() => undefined);
      if (state?.status === 'completed' && state.file) return state.file;
      if (state && state.status !== 'pending' && state.status !== 'completing') {
        throw APIError.generate(409, { type: 'error', error: { type: 'invalid_request_error', message: `The upload is ${state.status}.` } }, new Headers());
      }
      await sleep(Math.min(500 * 2 ** attempt, 8000), signal);
    }
  }
}

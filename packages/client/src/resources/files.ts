/**
 * `client.beta.files`: `upload`, `retrieve`, `list`, `download`, `delete` (docs/sdk.md),
 * plus streaming downloads. Metadata carries the SDK's names (`size`) beside the wire's
 * (`size_bytes`, `mime_type`, …).
 */
import type { Cabinet, RequestOptions } from '../client.js';
import { Page, PagePromise } from '../pagination.js';
import type { ListParams } from '../pagination.js';
import { RequestTooLargeError } from '../core/errors.js';
import { multipartBody, toUploadSource } from '../uploads.js';
import type { Uploadable } from '../uploads.js';
import type { FileListPage, FileObject, FilePurpose } from '../wire.js';
import { downloadToFile } from './download-to-file.js';
import { resumableUpload, wantsResumable } from './resumable-upload.js';
import type { ResumableOptions } from './resumable-upload.js';
import type { DownloadToFileOptions, DownloadToFileResult } from './download-to-file.js';

/**
 * A stored file's metadata: every wire field, including `size` (the SDK's name for `size_bytes`,
 * docs/wire.md §13), which the client fills in from `size_bytes` when a server does not send it.
 */
export type FileMetadata = FileObject;

export interface DeletedFile {
  id: string;
  deleted: true;
  type: 'file_deleted';
}

export interface UploadParams {
  file: Uploadable;
  /** `user_data` (default) or `batch` (JSONL, validated by the server as it streams). */
  purpose?: FilePurpose | undefined;
  /** Delete the file this long after upload: 3600 (1 h) to 7 776 000 (90 days). */
  expires_in_seconds?: number | undefined;
}

export interface UploadOptions extends RequestOptions {
  /** Called as bytes are handed to the network. `total` is undefined for streams of unknown size. */
  onProgress?: ((sentBytes: number, totalBytes: number | undefined) => void) | undefined;
  /** Sent as `Idempotency-Key`; one is generated per call so a retry can never make a second file. */
  idempotencyKey?: string | undefined;
  /**
   * Files (Blobs, `fileFromPath`) larger than `thresholdBytes` (default 500 MiB), or refused by the
   * server as too large for one request, go through resumable uploads: parts in parallel, resumed
   * after a broken connection (see resumable-upload.ts). `false`: never.
   */
  resumable?: ResumableOptions | false | undefined;
}

export class Files {
  constructor(private readonly client: Cabinet) {}

  /** Uploads a file, streaming it; see `Uploadable` for what `file` may be. */
  async upload(params: UploadParams, options: UploadOptions = {}): Promise<FileMetadata> {
    const source = toUploadSource(params.file);
    const resumable = options.resumable === false ? undefined : { ...options, ...options.resumable };
    const viaUploads = async (blob: Blob): Promise<FileMetadata> =>
      withSdkNames(
        await resumableUpload(
          this.client,
          { source: { ...source, blob }, purpose: params.purpose, expiresInSeconds: params.expires_in_seconds, onProgress: options.onProgress },
          resumable,
        ),
      );
    if (resumable && wantsResumable(source, resumable)) return viaUploads(source.blob);
    try {
      return await this.uploadInOneRequest(params, source, options);
    } catch (err) {
      // The server's single-request limit is lower than the threshold: the same bytes in parts.
      if (resumable && source.blob && err instanceof RequestTooLargeError && err.status === 413) return viaUploads(source.blob);
      throw err;
    }
  }

  private async uploadInOneRequest(params: UploadParams, source: ReturnType<typeof toUploadSource>, options: UploadOptions): Promise<FileMetadata> {
    const fields: Array<[string, string]> = [];
    if (params.purpose !== undefined) fields.push(['purpose', params.purpose]);
    if (params.expires_in_seconds !== undefined) fields.push(['expires_in_seconds', String(params.expires_in_seconds)]);
    const idempotencyKey = options.idempotencyKey ?? `cabinet-${crypto.randomUUID()}`;
    const file = await this.client.json<FileObject>(
      {
        method: 'POST',
        path: '/v1/files',
        replayable: source.replayable,
        body: () => {
          const multipart = multipartBody(source, fields, options.onProgress);
          return {
            body: multipart.body,
            headers: {
              'content-type': multipart.contentType,
              'idempotency-key': idempotencyKey,
              ...(multipart.contentLength === undefined ? {} : { 'content-length': String(multipart.contentLength) }),
            },
          };
        },
      },
      options,
    );
    return withSdkNames(file);
  }

  /** A file's metadata. */
  async retrieve(fileId: string, options: RequestOptions = {}): Promise<FileMetadata> {
    return withSdkNames(await this.client.json<FileObject>({ method: 'GET', path: filePath(fileId) }, options));
  }

  /** The official SDK's name for `retrieve`. */
  retrieveMetadata(fileId: string, options: RequestOptions = {}): Promise<FileMetadata> {
    return this.retrieve(fileId, options);
  }

  /** Files, newest first. Await for one page; `for await` for every file. */
  list(params: ListParams = {}, options: RequestOptions = {}): PagePromise<FileMetadata> {
    const fetchPage = async (p: ListParams): Promise<Page<FileMetadata>> => {
      const body = await this.client.json<FileListPage>(
        { method: 'GET', path: '/v1/files', query: { limit: p.limit, after_id: p.after_id, before_id: p.before_id } },
        options,
      );
      return new Page({ ...body, data: body.data.map(withSdkNames) }, p, fetchPage);
    };
    return new PagePromise(fetchPage(params));
  }

  /** The whole content, in memory (as bytes). For large files use `downloadStream` or `downloadToFile`. */
  async download(fileId: string, options: RequestOptions = {}): Promise<Uint8Array> {
    const response = await this.contentResponse(fileId, options);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The content as a stream, read as it arrives. */
  async downloadStream(fileId: string, options: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const response = await this.contentResponse(fileId, options);
    return response.body ?? new ReadableStream({ start: (c) => c.close() });
  }

  /**
   * Streams the content to `path` (Node, Deno, Bun): written to `path + '.partial'`, resumed with
   * `Range` after a broken connection, checked against the server's SHA-256, then renamed onto `path`.
   */
  downloadToFile(fileId: string, path: string, options: DownloadToFileOptions = {}): Promise<DownloadToFileResult> {
    return downloadToFile(this, fileId, path, options);
  }

  async delete(fileId: string, options: RequestOptions = {}): Promise<DeletedFile> {
    const body = await this.client.json<{ id: string }>({ method: 'DELETE', path: filePath(fileId) }, options);
    // Anthropic's own API answers without `deleted`; this SDK promises it (docs/wire.md §13).
    return { id: body.id, deleted: true, type: 'file_deleted' };
  }

  /** @internal The successful response of GET /content, with optional extra headers (Range). */
  contentResponse(fileId: string, options: RequestOptions = {}): Promise<Response> {
    return this.client.request(
      { method: 'GET', path: `${filePath(fileId)}/content` },
      { ...options, headers: { accept: 'application/binary', ...options.headers } },
    );
  }
}

function filePath(fileId: string): string {
  if (typeof fileId !== 'string' || fileId === '') throw new TypeError('a file id is required');
  return `/v1/files/${encodeURIComponent(fileId)}`;
}

function withSdkNames(file: FileObject): FileMetadata {
  // Cabinet servers before issue 12 (and other Files API servers) send no `size`.
  return { ...file, size: file.size_bytes };
}

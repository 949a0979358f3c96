/**
 * What `upload({ file })` accepts, and how it goes on the wire without being buffered.
 *
 * The official SDK turns every upload into an in-memory File (a 1 GiB upload costs 5.2 GiB of RAM,
 * issue 3). Here, files from disk are Blobs backed by the file (`fs.openAsBlob`), streams stay
 * streams, and the multipart body is produced chunk by chunk as fetch pulls it.
 */

/** A file to upload that is only readable once (a stream); see `toFile`. */
export class StreamFile {
  readonly name: string;
  readonly type: string;
  /** Known size in bytes, if the caller gave one; lets the request carry a Content-Length. */
  readonly size: number | undefined;
  private readonly source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
  private used = false;

  constructor(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, name: string, options: { type?: string; size?: number } = {}) {
    this.source = source;
    this.name = name;
    this.type = options.type ?? '';
    this.size = options.size;
  }

  /** The bytes, once. */
  stream(): ReadableStream<Uint8Array> {
    if (this.used) throw new TypeError(`the stream of ${this.name || 'this file'} was already read; streams cannot be uploaded twice`);
    this.used = true;
    return this.source instanceof ReadableStream ? this.source : iterableToStream(this.source);
  }

  /** @internal */
  asSource(): UploadSource {
    return { name: this.name, type: this.type, size: this.size, replayable: false, open: () => this.stream() };
  }
}

/** The bytes themselves: what a `["document.txt", content]` tuple carries. */
export type FileContent = Uint8Array | ArrayBuffer | string | Blob;

/**
 * Anything `upload({ file })` takes: a Blob or File (including `fileFromPath`'s), a `[name, content]`
 * tuple, a StreamFile from `toFile`, a Node `fs.ReadStream` (named after its path), a web
 * ReadableStream or any async iterable of bytes (uploaded as `unnamed`).
 */
export type Uploadable =
  | Blob
  | StreamFile
  | readonly [name: string, content: FileContent]
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * Makes an uploadable file from bytes, a Blob or a stream, like the official SDK's `toFile` — but a
 * stream stays a stream (a StreamFile) instead of being read into memory.
 */
export async function toFile(
  value: FileContent | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  name = '',
  options: { type?: string; size?: number } = {},
): Promise<File | StreamFile> {
  if (isBlob(value) || typeof value === 'string' || value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return new File([value as BlobPart], name, { type: options.type ?? (isBlob(value) ? value.type : '') });
  }
  return new StreamFile(value, name, options);
}

/**
 * A File for a path on disk, read lazily as the upload streams (Node, Deno and Bun): the official
 * Python SDK's `file_from_path`. The type is left for the server to detect from the content and
 * the name. A missing path, a directory or anything else that is not a regular file is refused
 * here, with an error that names the path, rather than failing later in the middle of an upload.
 */
export async function fileFromPath(path: string, options: { type?: string; name?: string } = {}): Promise<File> {
  const fs = await import('node:fs');
  const info = await fs.promises.stat(path).catch((err: NodeJS.ErrnoException) => {
    throw Object.assign(new Error(`fileFromPath: ${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`), { code: err.code, path });
  });
  if (info.isDirectory()) throw Object.assign(new Error(`fileFromPath: ${path} is a directory, not a file`), { code: 'EISDIR', path });
  if (!info.isFile()) throw Object.assign(new Error(`fileFromPath: ${path} is not a regular file`), { code: 'EINVAL', path });
  // openAsBlob (Node >= 19.8) gives a Blob backed by the file: nothing is read until it streams,
  // and it can be streamed again for a retry.
  const blob = await fs.openAsBlob(path);
  return new File([blob], options.name ?? basename(path), { type: options.type ?? '' });
}

/** A normalised upload: how to get the bytes, and whether they can be sent again. */
export interface UploadSource {
  name: string;
  type: string;
  size: number | undefined;
  /** The file as a Blob, when it is one: it can be sliced into the parts of a resumable upload. */
  blob?: Blob | undefined;
  /** False for streams: a request that failed after sending some of them cannot be retried. */
  replayable: boolean;
  open(): ReadableStream<Uint8Array>;
}

export function toUploadSource(file: Uploadable): UploadSource {
  if (isBlob(file)) {
    return { name: (file as Partial<File>).name ?? '', type: file.type, size: file.size, blob: file, replayable: true, open: () => file.stream() };
  }
  if (file instanceof StreamFile) return file.asSource();
  if (Array.isArray(file)) {
    const [name, content] = file as readonly [string, FileContent];
    const blob = isBlob(content) ? content : new Blob([content as BlobPart]);
    return { name, type: isBlob(content) ? content.type : '', size: blob.size, blob, replayable: true, open: () => blob.stream() };
  }
  if (file instanceof ReadableStream) {
    return new StreamFile(file, '').asSource();
  }
  if (isAsyncIterable(file)) {
    // A Node fs.ReadStream knows its path: keep the final component as the name, as the official SDK does.
    const path = (file as { path?: unknown }).path;
    const name = typeof path === 'string' ? basename(path) : '';
    return new StreamFile(file, name).asSource();
  }
  throw new TypeError('file must be a Blob/File, a [name, content] tuple, a StreamFile, a ReadableStream or an async iterable of bytes');
}

export interface MultipartBody {
  contentType: string;
  /** Known when the file's size is known. */
  contentLength: number | undefined;
  body: ReadableStream<Uint8Array>;
}

/**
 * A multipart/form-data body (RFC 7578) with the text fields first — so the server knows the purpose
 * before the bytes and can reject a bad batch file mid-stream — and the file part last.
 * `onProgress` is called as the file's bytes are pulled by fetch.
 */
export function multipartBody(
  source: UploadSource,
  fields: Array<[string, string]>,
  onProgress?: (sentBytes: number, totalBytes: number | undefined) => void,
  /** The file part's name: `file` for files, `data` for the parts of a resumable upload. */
  fileField = 'file',
): MultipartBody {
  const boundary = `----cabinet-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  let head = '';
  for (const [name, value] of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(fileField)}"; filename="${escapeQuoted(source.name)}"\r\n`;
  head += `Content-Type: ${source.type || 'application/octet-stream'}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  const tailBytes = encoder.encode(`\r\n--${boundary}--\r\n`);

  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file';
        reader = source.open().getReader();
        controller.enqueue(headBytes);
        return;
      }
      if (stage === 'file' && reader) {
        const { done, value } = await reader.read();
        if (!done) {
          sent += value.byteLength;
          onProgress?.(sent, source.size);
          controller.enqueue(value);
          return;
        }
        stage = 'tail';
      }
      if (stage === 'tail') {
        stage = 'done';
        controller.enqueue(tailBytes);
        controller.close();
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: source.size === undefined ? undefined : headBytes.byteLength + source.size + tailBytes.byteLength,
    body,
  };
}

// --- Internal helpers ---

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** WHATWG form encoding of names in a quoted-string: `"`, CR and LF percent-encoded. */
function escapeQuoted(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function iterableToStream(iterable: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/**
 * Parts of resumable uploads on S3 (blob-parts.ts): each part is an object of its own under
 * `<prefix>parts/<upload id>/<part id>`, written by the same streaming writer as blobs; completion
 * assembles them inside S3 as one native multipart upload of the final object, whose parts are
 * server-side copies (UploadPartCopy) of the part objects, so the bytes are not sent again.
 *
 * Why not one multipart upload per Upload, each part an UploadPart: CompleteMultipartUpload wants
 * its parts in ascending part-number order, and an Upload's order is only known at completion
 * (parts arrive in parallel, in any order); part numbers given on arrival cannot be reordered.
 *
 * S3 refuses parts under 5 MiB except the last (EntityTooSmall). A run of such parts is re-streamed
 * from their objects into one UploadPart of at least 5 MiB (a fallback: clients send parts of up
 * to 64 MB, and only the last is usually short).
 */
import { Readable } from 'node:stream';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import type { PutOptions } from '../blob-store.js';
import type { BlobPartStore, PartRef } from '../blob-parts.js';

type Sdk = typeof import('@aws-sdk/client-s3');

/** S3's smallest part, except the last (EntityTooSmall below it). */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;
/** Part copies in flight per assembly. */
const COPY_CONCURRENCY = 4;

export interface S3PartStoreHost {
  readonly bucket: string;
  readonly prefix: string;
  client(): S3Client;
  sdk(): Sdk;
  /** Streams `source` into the object `objectKey` (the blob store's writer). */
  write(objectKey: string, source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<{ sizeBytes: number }>;
  /** Streams the object; BlobNotFoundError if missing. */
  read(objectKey: string, label: string): Promise<Readable>;
}

/** Where parts live, below the blob store's prefix; blob keys never contain `/`, so nothing collides. */
export const PARTS_FOLDER = 'parts/';

type Group = { kind: 'copy'; part: PartRef } | { kind: 'stream'; parts: PartRef[]; sizeBytes: number };

export class S3PartStore implements BlobPartStore {
  constructor(private readonly host: S3PartStoreHost) {}

  putPart(uploadId: string, partId: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    return this.host.write(this.partKey(uploadId, partId), source, options);
  }

  getPart(uploadId: string, partId: string): Promise<Readable> {
    return this.host.read(this.partKey(uploadId, partId), `${uploadId}/${partId}`);
  }

  async deleteParts(uploadId: string): Promise<void> {
    const { DeleteObjectCommand } = this.host.sdk();
    // One DeleteObject per part, not DeleteObjects: that one requires a checksum header that not
    // every S3 implementation accepts with checksums "when required" (s3/blob-store.ts).
    for await (const key of this.listKeys(`${this.host.prefix}${PARTS_FOLDER}${uploadId}/`)) {
      await this.host.client().send(new DeleteObjectCommand({ Bucket: this.host.bucket, Key: key.key }));
    }
  }

  async *listPartUploads(): AsyncIterable<{ uploadId: string; lastModifiedMs: number }> {
    const base = `${this.host.prefix}${PARTS_FOLDER}`;
    let current: { uploadId: string; lastModifiedMs: number } | undefined;
    // Keys come in lexicographic order, so one upload's parts are listed together.
    for await (const { key, lastModifiedMs } of this.listKeys(base)) {
      const uploadId = key.slice(base.length).split('/')[0] ?? '';
      if (current && current.uploadId !== uploadId) {
        yield current;
        current = undefined;
      }
      current = { uploadId, lastModifiedMs: Math.max(current?.lastModifiedMs ?? 0, lastModifiedMs) };
    }
    if (current) yield current;
  }

  async assemble(key: string, uploadId: string, parts: readonly PartRef[], options: PutOptions = {}): Promise<void> {
    const { CreateMultipartUploadCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand, ListMultipartUploadsCommand } = this.host.sdk();
    const client = this.host.client();
    const objectKey = this.host.prefix + key;
    const sendOptions = options.signal ? { abortSignal: options.signal } : {};
    // An assembly of this key left by a completion whose instance died (the caller took its claim
    // over) goes first: once this one commits, the key is a file's, and the sweep spares
    // multipart uploads of keys in use, so it would never be aborted. Only the claim holder
    // writes this key, so nothing else of it can be in flight (an instance that outlived its lease
    // loses its assembly here, and its completion fails: its claim is gone anyway).
    const stale = await client.send(new ListMultipartUploadsCommand({ Bucket: this.host.bucket, Prefix: objectKey }), sendOptions);
    for (const upload of stale.Uploads ?? []) {
      if (upload.Key !== objectKey || upload.UploadId === undefined) continue;
      await client.send(new AbortMultipartUploadCommand({ Bucket: this.host.bucket, Key: objectKey, UploadId: upload.UploadId }), sendOptions);
    }
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: this.host.bucket, Key: objectKey }), sendOptions);
    const multipartId = created.UploadId;
    if (!multipartId) throw new Error('S3 returned no UploadId');
    try {
      const groups = groupParts(parts);
      const completed: CompletedPart[] = new Array<CompletedPart>(groups.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let i = next++; i < groups.length; i = next++) {
          const group = groups[i];
          if (!group) continue;
          completed[i] = await this.assemblePart(objectKey, multipartId, i + 1, uploadId, group, sendOptions);
        }
      };
      await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, groups.length) }, worker));
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.host.bucket, Key: objectKey, UploadId: multipartId, MultipartUpload: { Parts: completed } }),
        sendOptions,
      );
    } catch (err) {
      // Not under the caller's signal: the abort must go out even when the signal fired.
      await client.send(new AbortMultipartUploadCommand({ Bucket: this.host.bucket, Key: objectKey, UploadId: multipartId })).catch(() => undefined);
      throw err;
    }
  }

  // --- Internal helpers ---

  private async assemblePart(
    objectKey: string,
    multipartId: string,
    partNumber: number,
    uploadId: string,
    group: Group,
    sendOptions: { abortSignal?: AbortSignal },
  ): Promise<CompletedPart> {
    const { UploadPartCopyCommand, UploadPartCommand } = this.host.sdk();
    const client = this.host.client();
    if (group.kind === 'copy') {
      const source = this.partKey(uploadId, group.part.partId);
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: this.host.bucket,
          Key: objectKey,
          UploadId: multipartId,
          PartNumber: partNumber,
          CopySource: `${this.host.bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
        }),
        sendOptions,
      );
      return { PartNumber: partNumber, ETag: out.CopyPartResult?.ETag };
    }
    const body = Readable.from(this.concat(uploadId, group.parts));
    const out = await client.send(
      new UploadPartCommand({ Bucket: this.host.bucket, Key: objectKey, UploadId: multipartId, PartNumber: partNumber, Body: body, ContentLength: group.sizeBytes }),
      sendOptions,
    );
    return { PartNumber: partNumber, ETag: out.ETag };
  }

  private async *concat(uploadId: string, parts: readonly PartRef[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      for await (const chunk of await this.getPart(uploadId, part.partId)) yield chunk as Uint8Array;
    }
  }

  private async *listKeys(prefix: string): AsyncIterable<{ key: string; lastModifiedMs: number }> {
    const { ListObjectsV2Command } = this.host.sdk();
    let token: string | undefined;
    do {
      const page = await this.host
        .client()
        .send(new ListObjectsV2Command({ Bucket: this.host.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private partKey(uploadId: string, partId: string): string {
    return `${this.host.prefix}${PARTS_FOLDER}${uploadId}/${partId}`;
  }
}

/**
 * S3 parts for the Upload's parts, in order: a part of at least 5 MiB (or the last) is copied as
 * it is; shorter ones are gathered with what follows into one re-streamed part of at least 5 MiB
 * (or up to the end).
 */
export function groupParts(parts: readonly PartRef[]): Group[] {
  const groups: Group[] = [];
  let run: PartRef[] = [];
  let runBytes = 0;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (run.length === 0 && (part.sizeBytes >= S3_MIN_PART_BYTES || last)) {
      groups.push({ kind: 'copy', part });
      return;
    }
    run.push(part);
    runBytes += part.sizeBytes;
    if (runBytes >= S3_MIN_PART_BYTES || last) {
      groups.push({ kind: 'stream', parts: run, sizeBytes: runBytes });
      run = [];
      runBytes = 0;
    }
  });
  return groups;
}

export function isPartObject(keyAfterPrefix: string): boolean {
  return keyAfterPrefix.startsWith(PARTS_FOLDER);
}

/**
 * S3 blob store (AWS S3, Ceph RGW, MinIO, R2 …) for many stateless instances.
 *
 * Writes stream through `stream-writer.ts`: a body smaller than one part is a single PutObject,
 * a larger one a multipart upload with a fixed pool of `queueSize + 1` part buffers, so memory stays
 * flat whatever the file size. An object becomes visible only when
 * PutObject or CompleteMultipartUpload succeeds, which S3 acknowledges only once it is durable, so
 * `put` keeps the contract's "all or nothing, durable on resolve". A failed upload is aborted
 * (AbortMultipartUpload); one cut short by a crash is found by `sweepIncompleteWrites`.
 *
 * For endpoints other than AWS, checksums are computed only when an operation requires them
 * (`requestChecksumCalculation: 'WHEN_REQUIRED'`): with the SDK's default, streamed bodies are sent
 * with aws-chunked framing and trailing checksums, which some S3 implementations store as part of
 * the object (measured: silent corruption).
 */
import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { isPartObject, S3PartStore } from './part-store.js';
import { bucketEndpoint, ObjectRequests, S3RequestError } from './object-requests.js';
import { ObjectReadError } from './object-reader.js';
import { isSourceFailure, PartBufferPool, writeStream } from './stream-writer.js';
import { StorageError } from '../../errors.js';
import { BlobNotFoundError, withinLengthBounds } from '../blob-store.js';
import type { BlobInfo, BlobReader, BlobStore, ByteRange, PresignGetOptions, PutOptions } from '../blob-store.js';
import type { BlobPartStore } from '../blob-parts.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key (e.g. `cabinet/`), so one bucket can hold other data too. */
  prefix?: string;
  /** Custom endpoint (Ceph RGW, MinIO, R2); unset for AWS S3. */
  endpoint?: string;
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most non-AWS servers. */
  forcePathStyle?: boolean;
  /** Explicit credentials; by default the AWS SDK's chain (AWS_ACCESS_KEY_ID …, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel per file (memory per large upload ≈ partSize × (queueSize + 1)). */
  queueSize?: number;
  /**
   * Sign every body's SHA-256 (SigV4 `x-amz-content-sha256`), so the S3 server checks each part's
   * bytes. Off by default (`UNSIGNED-PAYLOAD`, as the AWS SDK sends streams): it hashes every byte a
   * second time (Cabinet hashes the whole file anyway), ~0.6 CPU-s per GiB here, and the S3 server
   * hashes it again to check; an https endpoint protects the bytes in transit without it.
   */
  signPayload?: boolean;
}

const MiB = 1024 * 1024;
/** The object /readyz writes (empty, under the prefix); not a blob, so `list` leaves it out. */
const PROBE_KEY = '.cabinet-readyz';
/** Probe writes are each a PUT request (billed on AWS): at most this often, a HEAD of the bucket in between. */
const WRITE_PROBE_INTERVAL_MS = 30_000;

type Sdk = typeof import('@aws-sdk/client-s3');

export class S3BlobStore implements BlobStore {
  readonly name = 's3';
  private readonly clientConfig: S3ClientConfig;
  private sdk: Sdk | undefined;
  private s3: S3Client | undefined;
  /** PutObject, UploadPart and GetObject, sent without the SDK's per-request cost (object-requests.ts). */
  private objects: ObjectRequests | undefined;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly buffers: PartBufferPool;
  private readonly queueSize: number;
  private readonly signPayload: boolean;
  private lastProbeWriteMs = -Infinity;
  /** Parts of resumable uploads: objects under `<prefix>parts/`, assembled by server-side copies (part-store.ts). */
  readonly parts: BlobPartStore;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.queueSize = options.queueSize ?? 2;
    // Idle part buffers kept for the next large upload: one upload's worth.
    this.buffers = new PartBufferPool(Math.max(options.partSizeBytes ?? 8 * MiB, 5 * MiB), this.queueSize + 1);
    this.signPayload = options.signPayload ?? false;
    const config: S3ClientConfig = {
      forcePathStyle: options.forcePathStyle ?? false,
      // Reads and writes are retried by Cabinet's callers (and their clients); a stuck endpoint
      // should fail the request rather than hold it for minutes.
      maxAttempts: 3,
      // With the SDK's default, every body of 2 MiB or more (each part of a large upload) is sent
      // with `Expect: 100-continue`, and the SDK's Node handler then opens a new connection for it
      // (keep-alive off): a TCP handshake and a round trip per part. The body is sent right away.
      expectContinueHeader: false,
    };
    if (options.endpoint !== undefined) {
      config.endpoint = options.endpoint;
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    // Unset: the SDK's chain (AWS_REGION, the profile).
    if (options.region !== undefined) config.region = options.region;
    if (options.credentials) config.credentials = options.credentials;
    this.clientConfig = config;
    this.parts = new S3PartStore({
      bucket: this.bucket,
      prefix: this.prefix,
      client: () => this.client,
      sdk: () => this.aws(),
      write: (objectKey, source, putOptions) => this.write(objectKey, objectKey, source, putOptions),
      read: (objectKey, label) => this.read(objectKey, label),
    });
  }

  async init(): Promise<void> {
    // Loaded only when S3 is configured: the SDK costs ~15 MiB of RSS that the embedded default
    // should not pay.
    this.sdk = await import('@aws-sdk/client-s3');
    this.s3 = new this.sdk.S3Client(this.clientConfig);
    const { HeadBucketCommand, CreateBucketCommand } = this.sdk;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (httpStatus(err) !== 404) throw new StorageError(`S3 bucket ${this.bucket} is not reachable`, err);
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (createErr) {
        // Another instance created it meanwhile.
        const name = (createErr as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
          throw new StorageError(`could not create S3 bucket ${this.bucket}`, createErr);
        }
      }
    }
    const client = this.s3;
    this.objects = new ObjectRequests({
      endpoint: await bucketEndpoint(client, this.sdk, this.bucket),
      region: await client.config.region(),
      credentials: () => client.config.credentials(),
      maxAttempts: this.clientConfig.maxAttempts as number,
      signPayload: this.signPayload,
    });
  }

  put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    return this.write(this.objectKey(key), key, source, options);
  }

  private async write(objectKey: string, key: string, source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<{ sizeBytes: number }> {
    try {
      const sizeBytes = await writeStream(withinLengthBounds(source, options.lengthBounds), {
        client: this.client,
        sdk: this.aws(),
        objects: this.objectRequests(),
        bucket: this.bucket,
        key: objectKey,
        buffers: this.buffers,
        queueSize: this.queueSize,
        signal: options.signal,
        lengthBounds: options.lengthBounds,
        stream: !this.signPayload,
      });
      return { sizeBytes };
    } catch (err) {
      if (isSourceFailure(err)) throw err.error;
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw new StorageError(`S3 upload of ${key} failed`, err);
    }
  }

  get(key: string, range?: ByteRange): Promise<Readable> {
    return this.read(this.objectKey(key), key, range);
  }

  /**
   * The object's body read into the caller's buffers (object-reader.ts): a download through Cabinet
   * costs a tenth of the CPU of `get`'s stream here (docs/performance.md, "Round seven").
   * `undefined` for a missing key, and for an answer the reader does not read (a proxy in front of
   * the bucket that re-frames it): `get` then serves it, or says what is wrong.
   */
  async reader(key: string, range?: ByteRange): Promise<BlobReader | undefined> {
    try {
      return await this.objectRequests().reader(this.objectKey(key), range);
    } catch (err) {
      if (err instanceof S3RequestError && err.status === 404) return undefined;
      if (err instanceof ObjectReadError) return undefined;
      throw new StorageError(`S3 download of ${key} failed`, err);
    }
  }

  private async read(objectKey: string, key: string, range?: ByteRange): Promise<Readable> {
    try {
      return await this.objectRequests().get(objectKey, range);
    } catch (err) {
      if (err instanceof S3RequestError && err.status === 404) throw new BlobNotFoundError(key);
      throw new StorageError(`S3 download of ${key} failed`, err);
    }
  }

  presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const query: Record<string, string> = {};
    if (options.responseContentType !== undefined) query['response-content-type'] = options.responseContentType;
    if (options.responseContentDisposition !== undefined) query['response-content-disposition'] = options.responseContentDisposition;
    if (options.responseCacheControl !== undefined) query['response-cache-control'] = options.responseCacheControl;
    return this.objectRequests().presignGet(this.objectKey(key), query, options.expiresInSeconds);
  }

  async delete(key: string): Promise<void> {
    const { DeleteObjectCommand } = this.aws();
    // DeleteObject of a missing key succeeds (204), as the contract wants.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async *list(): AsyncIterable<BlobInfo> {
    const { ListObjectsV2Command } = this.aws();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key === this.objectKey(PROBE_KEY)) continue;
        const key = object.Key.slice(this.prefix.length);
        // Upload parts are not blobs: they go with their upload (FileService.sweepParts).
        if (isPartObject(key)) continue;
        yield { key, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async sweepIncompleteWrites(cutoffMs: number, inUse: (keys: string[]) => Promise<Set<string>>): Promise<number> {
    const { ListMultipartUploadsCommand, AbortMultipartUploadCommand } = this.aws();
    let swept = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: this.prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      const old = (page.Uploads ?? []).filter((u) => (u.Initiated?.getTime() ?? 0) < cutoffMs);
      const live = await inUse(old.map((u) => (u.Key ?? '').slice(this.prefix.length)));
      for (const upload of old) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue;
        if (live.has(upload.Key.slice(this.prefix.length))) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        swept++;
      }
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    return swept;
  }

  /**
   * A write would succeed: an empty object is written over the same key (a full or read-only
   * cluster refuses it, as do credentials without write access), at most every 30 s; in between,
   * the bucket must answer.
   */
  async ping(): Promise<void> {
    const { HeadBucketCommand, PutObjectCommand } = this.aws();
    if (Date.now() - this.lastProbeWriteMs < WRITE_PROBE_INTERVAL_MS) {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    }
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(PROBE_KEY), Body: new Uint8Array(0), ContentLength: 0 }));
    this.lastProbeWriteMs = Date.now();
  }

  async close(): Promise<void> {
    this.objects?.close();
    this.objects = undefined;
    this.s3?.destroy();
    this.s3 = undefined;
  }

  private objectRequests(): ObjectRequests {
    if (!this.objects) throw new Error('S3BlobStore used before init() or after close()');
    return this.objects;
  }

  private get client(): S3Client {
    if (!this.s3) throw new Error('S3BlobStore used before init() or after close()');
    return this.s3;
  }

  private aws(): Sdk {
    if (!this.sdk) throw new Error('S3BlobStore used before init()');
    return this.sdk;
  }

  private objectKey(key: string): string {
    return this.prefix + key;
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Mirroring (`CABINET_UPSTREAM_FILES=mirror`, anthropic upstream): a file that cannot be inlined
 * — a `container_upload`, or a file too large for the upstream's request limit — is copied once
 * to the upstream's Files API, the copy's id is remembered per workspace and file in the metadata
 * database (storage/mirror-store.ts), and the reference is rewritten to it. The copy is deleted
 * when the Cabinet file is deleted or expires (`forget`, called by the file service), and a sweep
 * catches what a crash or another instance left (`sweep`). See docs/gateway.md, "Mirroring".
 */
import type { FileService, Logger } from '../files/file-service.js';
import type { MirrorStore } from '../storage/mirror-store.js';
import type { FileRecord } from '../storage/records.js';
import type { UpstreamFiles } from './upstream.js';

export interface MirrorOptions {
  upstream: UpstreamFiles;
  store: MirrorStore;
  files: FileService;
  clock?: () => number;
  logger?: Logger;
}

export class Mirror {
  private readonly upstream: UpstreamFiles;
  private readonly store: MirrorStore;
  private readonly files: FileService;
  private readonly clock: () => number;
  private readonly logger: Logger | undefined;
  /** Uploads in flight in this process, so concurrent requests for one file share one upload. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(options: MirrorOptions) {
    this.upstream = options.upstream;
    this.store = options.store;
    this.files = options.files;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
  }

  /** The upstream id of the file's copy, uploading it first if there is none. */
  async ensure(workspaceId: string, record: FileRecord, signal?: AbortSignal): Promise<string> {
    const known = await this.store.getMirror(workspaceId, record.id, this.upstream.identity);
    if (known) return known.upstreamFileId;
    const key = JSON.stringify([workspaceId, record.id]);
    let pending = this.inFlight.get(key);
    if (!pending) {
      // Not tied to one caller's signal: another request may be waiting for the same upload.
      pending = this.copy(workspaceId, record).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    if (!signal) return pending;
    return Promise.race([pending, abortion(signal)]);
  }

  /** Deletes the copy of a file that was deleted or expired. Failures are left for `sweep`. */
  async forget(record: FileRecord): Promise<void> {
    const copy = await this.store.getMirror(record.workspaceId, record.id, this.upstream.identity);
    if (!copy) return;
    try {
      await this.upstream.delete(copy.upstreamFileId);
      await this.store.deleteMirror(record.workspaceId, record.id, this.upstream.identity);
    } catch (err) {
      this.logger?.warn({ err, fileId: record.id, upstreamFileId: copy.upstreamFileId }, 'could not delete the upstream copy; the sweep will retry');
    }
  }

  /** Deletes the copies of files that no longer exist; returns how many went. */
  async sweep(batchSize = 100): Promise<number> {
    let deleted = 0;
    for (;;) {
      const orphans = await this.store.listOrphanMirrors(this.upstream.identity, batchSize);
      for (const copy of orphans) {
        await this.upstream.delete(copy.upstreamFileId);
        await this.store.deleteMirror(copy.workspaceId, copy.fileId, copy.upstream);
        deleted++;
      }
      if (orphans.length < batchSize) break;
    }
    if (deleted > 0) this.logger?.info({ deleted }, 'upstream copies of deleted files removed');
    return deleted;
  }

  // --- Internal helpers ---

  private async copy(workspaceId: string, record: FileRecord): Promise<string> {
    const upstreamFileId = await this.upstream.upload({
      filename: record.filename,
      mimeType: record.mimeType,
      sizeBytes: record.sizeBytes,
      open: () => this.files.open(record),
    });
    const standing = await this.store.putMirror({
      workspaceId,
      fileId: record.id,
      upstream: this.upstream.identity,
      upstreamFileId,
      createdAtMs: this.clock(),
    });
    if (standing.upstreamFileId !== upstreamFileId) {
      // Another instance recorded its copy first: ours is surplus.
      await this.upstream.delete(upstreamFileId).catch((err: unknown) => {
        this.logger?.warn({ err, upstreamFileId }, 'could not delete a surplus upstream copy');
      });
    }
    return standing.upstreamFileId;
  }
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

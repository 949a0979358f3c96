/**
 * FileManager (from the Files API document's lifecycle example): tracks what it uploads and deletes it all on `cleanup()`, or at the end
 * of an `await using` block.
 *
 *   await using files = new FileManager(client);
 *   const doc = await files.upload('doc1.pdf');
 *   // ... use doc.id; the file is deleted when the block ends, even on error.
 */
import type { Cabinet } from './client.js';
import type { FileMetadata, UploadOptions } from './resources/files.js';
import { fileFromPath } from './uploads.js';
import type { Uploadable } from './uploads.js';
import type { FilePurpose } from './wire.js';

export interface CleanupReport {
  deleted: string[];
  failed: Array<{ id: string; error: unknown }>;
}

export class FileManager implements AsyncDisposable {
  private readonly tracked: string[] = [];

  constructor(private readonly client: Cabinet) {}

  /** Ids uploaded and not yet cleaned up, oldest first. */
  get uploadedFiles(): readonly string[] {
    return this.tracked;
  }

  /** Uploads a path (read from disk as it streams) or any Uploadable, and tracks it. */
  async upload(file: string | Uploadable, purpose: FilePurpose = 'user_data', options: UploadOptions = {}): Promise<FileMetadata> {
    const uploadable = typeof file === 'string' ? await fileFromPath(file) : file;
    const uploaded = await this.client.beta.files.upload({ file: uploadable, purpose }, options);
    this.tracked.push(uploaded.id);
    return uploaded;
  }

  /**
   * Deletes every tracked file. A file already gone counts as deleted; other failures are reported
   * and the file stays tracked, so a later cleanup can try again.
   */
  async cleanup(): Promise<CleanupReport> {
    const report: CleanupReport = { deleted: [], failed: [] };
    for (const id of [...this.tracked]) {
      try {
        await this.client.beta.files.delete(id);
        report.deleted.push(id);
      } catch (error) {
        if ((error as { status?: number }).status === 404) report.deleted.push(id);
        else report.failed.push({ id, error });
      }
    }
    const failed = new Set(report.failed.map((f) => f.id));
    this.tracked.splice(0, this.tracked.length, ...this.tracked.filter((id) => failed.has(id)));
    return report;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cleanup();
  }
}

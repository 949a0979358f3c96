/** What the small-blob tables of SQLite and PostgreSQL (`small_blobs`) share: whole blobs in, rows listed by key. */
import { withinLengthBounds } from './blob-store.js';
import type { BlobInfo, PutOptions } from './blob-store.js';

/** A row as both tables' list queries return it. */
export interface SmallBlobRow {
  key: string;
  modified_at_ms: number;
}

/** Keys listed per query, so `list()` never holds a whole table's keys (and, on SQLite, yields between queries). */
export const LIST_PAGE = 1000;

/**
 * Every row in key order, a page at a time: `page(after, limit)` returns up to `limit` rows whose
 * key is greater than `after` (keyset pagination on the primary key).
 */
export async function* listSmallBlobs(page: (after: string, limit: number) => SmallBlobRow[] | Promise<SmallBlobRow[]>): AsyncIterable<BlobInfo> {
  let after = '';
  for (;;) {
    const rows = await page(after, LIST_PAGE);
    for (const row of rows) yield { key: row.key, lastModifiedMs: row.modified_at_ms };
    const last = rows[rows.length - 1];
    if (!last || rows.length < LIST_PAGE) return;
    after = last.key;
  }
}

/**
 * The whole blob a `put` writes as one row, held in memory by design: the tiered store only sends
 * a small tier blobs it has already seen end within the small-blob limit. One chunk is kept as it
 * is, not copied. Rejects if `options.signal` aborts meanwhile.
 */
export async function readWholeBlob(source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of withinLengthBounds(source, options.lengthBounds)) {
    options.signal?.throwIfAborted();
    chunks.push(chunk);
    size += chunk.length;
  }
  options.signal?.throwIfAborted();
  const only = chunks.length === 1 ? chunks[0] : undefined;
  return only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.concat(chunks, size);
}

/**
 * Small blobs as rows of PostgreSQL (table `small_blobs`, migration 7): the small tier of the
 * scale-out layout (PostgreSQL + S3, create-stores.ts), for files of up to `SMALL_BLOB_BYTES`.
 *
 * Why: a 1 KiB file stored as an S3 object costs a PutObject and a metadata commit, two durable
 * writes on two services; as a row it commits with its record in one transaction
 * (`PostgresFileMetadataStore.insertFileWithBlob`), one WAL flush, and no S3 request at all
 * (docs/performance.md, "PostgreSQL + S3: small files in the database"). Every instance of a
 * deployment shares the database, so every instance reads every small blob.
 *
 * The store shares the metadata backend's pool, which opens, migrates and closes it. `put` holds
 * the whole blob in memory before it commits, by design: the tiered store only sends it blobs it
 * has already seen end within the small-blob limit.
 */
import { Readable } from 'node:stream';
import { InsufficientStorageError } from '../../errors.js';
import { BlobNotFoundError } from '../blob-store.js';
import type { BlobInfo, BlobStore, ByteRange, PutOptions } from '../blob-store.js';
import { listSmallBlobs, readWholeBlob } from '../small-blob-rows.js';
import type { SmallBlobRow } from '../small-blob-rows.js';
import type { PostgresDatabase } from './database.js';

/** SQLSTATE disk_full (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const DISK_FULL = '53100';

/** The database clock in milliseconds: one clock for every instance (the sweep compares blob ages). */
const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

export class PostgresBlobStore implements BlobStore {
  readonly name = 'postgres';

  constructor(private readonly pg: PostgresDatabase) {}

  /** The metadata backend opened and migrated the database already: `App.start` opens metadata first. */
  async init(): Promise<void> {}

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const bytes = await readWholeBlob(source, options);
    try {
      // One statement (its own transaction): replacing a blob is atomic, and durable when it returns.
      await this.pg.commitStatement({
        name: 'cabinet-put-small-blob',
        text: `INSERT INTO small_blobs (key, bytes, modified_at_ms) VALUES ($1, $2, ${NOW_MS})
               ON CONFLICT (key) DO UPDATE SET bytes = excluded.bytes, modified_at_ms = excluded.modified_at_ms`,
        values: [key, bytes],
      });
    } catch (err) {
      throw translatePostgresError(err);
    }
    return { sizeBytes: bytes.length };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    // substring() counts from 1; a range past the end yields what there is (the caller clamps).
    const { rows } = range
      ? await this.pg.db().query<{ bytes: Buffer }>({
          name: 'cabinet-get-small-blob-range',
          text: 'SELECT substring(bytes FROM $2 FOR $3) AS bytes FROM small_blobs WHERE key = $1',
          values: [key, range.start + 1, range.end - range.start + 1],
        })
      : await this.pg.db().query<{ bytes: Buffer }>({ name: 'cabinet-get-small-blob', text: 'SELECT bytes FROM small_blobs WHERE key = $1', values: [key] });
    const row = rows[0];
    if (!row) throw new BlobNotFoundError(key);
    return Readable.from([row.bytes], { objectMode: false });
  }

  async has(key: string): Promise<boolean> {
    const { rows } = await this.pg.db().query({ name: 'cabinet-has-small-blob', text: 'SELECT 1 FROM small_blobs WHERE key = $1', values: [key] });
    return rows.length > 0;
  }

  /** Autocommitted like any statement; a delete lost in a crash leaves an orphan, which the sweeper removes. */
  async delete(key: string): Promise<void> {
    await this.pg.db().query({ name: 'cabinet-delete-small-blob', text: 'DELETE FROM small_blobs WHERE key = $1', values: [key] });
  }

  list(): AsyncIterable<BlobInfo> {
    return listSmallBlobs(async (after, limit) => {
      const { rows } = await this.pg.db().query<SmallBlobRow>({
        name: 'cabinet-list-small-blobs',
        text: 'SELECT key, modified_at_ms FROM small_blobs WHERE key > $1 ORDER BY key LIMIT $2',
        values: [after, limit],
      });
      return rows;
    });
  }

  /** A write is one statement: it commits whole or not at all, and leaves nothing to sweep. */
  async sweepIncompleteWrites(): Promise<number> {
    return 0;
  }

  /**
   * Nothing to ask: the database is the metadata backend's, whose own check (`/readyz`'s
   * `metadata`) names it when it fails; asking here too would blame the blob store for it.
   */
  async ping(): Promise<void> {}

  /** The pool is the metadata backend's to close. */
  async close(): Promise<void> {}
}

/** A full disk becomes the error clients can act on, as in the other stores. */
export function translatePostgresError(err: unknown): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === DISK_FULL) return new InsufficientStorageError(err);
  return err;
}

/**
 * The small-blob store: the blob conformance suite on a database of its own (`blobs/small.db`, the
 * layout before issue 17 §4) and on the metadata database's `small_blobs` table (the default).
 */
import { join } from 'node:path';
import { SqliteBlobStore } from '../../../src/storage/sqlite/blob-store.js';
import { SqliteDatabase } from '../../../src/storage/sqlite/database.js';
import { testBlobStore } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

testBlobStore({ name: 'sqlite (own database)', create: async () => new SqliteBlobStore({ path: join(await tempDir('sqlite-blobs'), 'small.db') }) });

/** The store on a metadata database it shares, which (as the metadata backend would) opens before it and closes after it. */
class OnMetadataDatabase extends SqliteBlobStore {
  constructor(private readonly database: SqliteDatabase) {
    super({ database });
  }
  override async init(): Promise<void> {
    await this.database.open();
    await super.init();
  }
  override async close(): Promise<void> {
    await super.close();
    await this.database.close();
  }
}

testBlobStore({
  name: 'sqlite (cabinet.db small_blobs)',
  create: async () => new OnMetadataDatabase(new SqliteDatabase(join(await tempDir('sqlite-shared-blobs'), 'cabinet.db'))),
});

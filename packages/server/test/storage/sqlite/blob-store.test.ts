/** The small-blob store (`blobs/small.db`): the blob conformance suite. */
import { join } from 'node:path';
import { SqliteBlobStore } from '../../../src/storage/sqlite/blob-store.js';
import { testBlobStore } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

testBlobStore({ name: 'sqlite', create: async () => new SqliteBlobStore({ path: join(await tempDir('sqlite-blobs'), 'small.db') }) });

/**
 * Small blobs in PostgreSQL (the scale-out layout's small tier), on a real PostgreSQL server: the
 * blob conformance suite alone, the inline-insert suite with the metadata store, and the whole
 * scale-out blob layout (PostgreSQL small tier + S3 on a real Ceph RGW) under the blob and part
 * suites, both with small files in the database and with them turned off.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { freshPostgres, freshS3 } from '@cabinet/test-support';
import { PostgresMetadataBackend } from '../../../src/storage/postgres/backend.js';
import { PostgresBlobStore } from '../../../src/storage/postgres/blob-store.js';
import type { S3BlobStore } from '../../../src/storage/s3/blob-store.js';
import { TieredBlobStore } from '../../../src/storage/tiered-blob-store.js';
import { chunked, readAll, sha256, testBlobParts, testBlobStore, testInlineBlobInsert } from '../../../src/testing/index.js';
import { s3BlobStoreFor } from '../../helpers/s3-blob-store.js';


/** The store on a database it shares, which (as the metadata backend would) opens before it and closes after it. */
class OnMetadataDatabase extends PostgresBlobStore {
  constructor(private readonly backend: PostgresMetadataBackend) {
    super(backend.database);
  }
  override async init(): Promise<void> {
    await this.backend.init();
    await super.init();
  }
  override async close(): Promise<void> {
    await super.close();
    await this.backend.close();
  }
}

const freshBackend = async (): Promise<PostgresMetadataBackend> => new PostgresMetadataBackend({ connectionString: await freshPostgres() });

testBlobStore({ name: 'postgres (small_blobs)', create: async () => new OnMetadataDatabase(await freshBackend()) });

testInlineBlobInsert({
  name: 'postgres',
  open: async () => {
    const backend = await freshBackend();
    await backend.init();
    const blobs = new PostgresBlobStore(backend.database);
    return { store: { files: backend.files, blobs }, close: () => backend.close() };
  },
});


/** The scale-out layout as create-stores.ts builds it, on fresh services; the tiers are kept for inspection. */
async function scaleOut(
  writeSmall: boolean,
): Promise<{ store: TieredBlobStore; small: OnMetadataDatabase; large: S3BlobStore; backend: PostgresMetadataBackend }> {
  const [backend, s3] = await Promise.all([freshBackend(), freshS3()]);
  const small = new OnMetadataDatabase(backend);
  const large = s3BlobStoreFor(s3);
  return { store: new TieredBlobStore({ small, large, writeSmall }), small, large, backend };
}

const listed = async (store: { list(): AsyncIterable<{ key: string }> }): Promise<string[]> => {
  const keys: string[] = [];
  for await (const blob of store.list()) keys.push(blob.key);
  return keys;
};

for (const writeSmall of [true, false]) {
  const name = `tiered (postgres + s3 on Ceph RGW, small files in the database: ${writeSmall})`;
  testBlobStore({ name, create: async () => (await scaleOut(writeSmall)).store });
  testBlobParts({ name, create: async () => (await scaleOut(writeSmall)).store });
}

it('scale-out layout: a small blob is a row, not an object; a large one an object; presigned URLs only for objects', async () => {
  const { store, small, large } = await scaleOut(true);
  await store.init();
  try {
    const tiny = randomBytes(1024);
    const big = randomBytes(64 * 1024 + 1);
    await store.put('blob_tiny', chunked(tiny, 100));
    await store.put('blob_big', chunked(big, 4096));
    assert.deepEqual(await listed(small), ['blob_tiny']);
    assert.deepEqual(await listed(large), ['blob_big']);
    assert.equal(sha256(await readAll(await store.get('blob_tiny'))), sha256(tiny));
    assert.equal(sha256(await readAll(await store.get('blob_big'))), sha256(big));
    assert.deepEqual(await readAll(await store.get('blob_tiny', { start: 10, end: 19 })), tiny.subarray(10, 20));
    const presign = store.presignGet;
    assert.ok(presign, 'the layout presigns what S3 holds');
    assert.equal(await presign('blob_tiny', { expiresInSeconds: 60 }), undefined);
    const url = await presign('blob_big', { expiresInSeconds: 60 });
    assert.ok(url !== undefined);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), sha256(big));
    assert.equal(store.filePath, undefined, 'no plain files for a front proxy: x-accel-redirect is refused at start-up');
  } finally {
    await store.close();
  }
});

it('scale-out layout with small files in the database turned off: new small blobs are objects, rows written before stay readable', async () => {
  const on = await scaleOut(true);
  await on.store.init();
  const before = randomBytes(2000);
  await on.store.put('blob_before', chunked(before, 500));
  // The same services, now with small files turned off (as after a restart with the setting changed).
  const off = new TieredBlobStore({ small: new PostgresBlobStore(on.backend.database), large: on.large, writeSmall: false });
  try {
    const after = randomBytes(2000);
    await off.put('blob_after', chunked(after, 500));
    assert.deepEqual(await listed(on.large), ['blob_after']);
    assert.equal(sha256(await readAll(await off.get('blob_before'))), sha256(before));
    assert.equal(sha256(await readAll(await off.get('blob_after'))), sha256(after));
    assert.deepEqual((await listed(off)).sort(), ['blob_after', 'blob_before']);
    await off.delete('blob_before');
    assert.deepEqual(await listed(on.small), []);
  } finally {
    await on.store.close();
  }
});

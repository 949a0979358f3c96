/**
 * S3 blob store on a real S3 server (Ceph RGW): the conformance suite with the smallest part size
 * S3 allows, so multi-part uploads are exercised, plus what only S3 has: unfinished multipart
 * uploads, from failed writes and from crashed writers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { freshS3, testS3Client } from '@cabinet/test-support';
import type { S3TestSettings } from '@cabinet/test-support';
import { readAll, sha256, testBlobParts, testBlobStore } from '../../../src/testing/index.js';
import { s3BlobStoreFor } from '../../helpers/s3-blob-store.js';

const MiB = 1024 * 1024;

const storeFor = s3BlobStoreFor;


async function unfinishedUploads(s3: S3TestSettings): Promise<string[]> {
  const client = await testS3Client(s3);
  try {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: s3.prefix }));
    return (page.Uploads ?? []).map((u) => u.Key ?? '');
  } finally {
    client.destroy();
  }
}

testBlobStore({ name: 's3 (Ceph RGW)', create: async () => storeFor(await freshS3()) });
testBlobParts({ name: 's3 (Ceph RGW)', create: async () => storeFor(await freshS3()) });

it('s3: a 23 MiB multi-part blob round-trips byte-exact, ranges across part boundaries too', async () => {
  const store = storeFor(await freshS3());
  await store.init();
  try {
    const bytes = randomBytes(23 * MiB + 11);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 256 * 1024) yield bytes.subarray(i, i + 256 * 1024);
    }
    assert.equal((await store.put('blob_big', source())).sizeBytes, bytes.length);
    assert.equal(sha256(await readAll(await store.get('blob_big'))), sha256(bytes));
    const start = 5 * MiB - 3;
    const end = 10 * MiB + 2;
    assert.deepEqual(await readAll(await store.get('blob_big', { start, end })), bytes.subarray(start, end + 1));
  } finally {
    await store.close();
  }
});

it('s3: a write that fails after several parts aborts its multipart upload', async () => {
  const s3 = await freshS3();
  const store = storeFor(s3);
  await store.init();
  try {
    async function* failing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 4; i++) yield randomBytes(4 * MiB);
      throw new Error('client went away');
    }
    await assert.rejects(store.put('blob_failed', failing()), /client went away/);
    assert.deepEqual(await unfinishedUploads(s3), [], 'no multipart upload left behind');
  } finally {
    await store.close();
  }
});

it('s3: sweepIncompleteWrites aborts uploads a crashed writer left, sparing young ones', async () => {
  const s3 = await freshS3();
  const store = storeFor(s3);
  await store.init();
  const client = await testS3Client(s3);
  try {
    // What a writer killed mid-upload leaves: a multipart upload with a part and no completion.
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: `${s3.prefix}blob_crashed` }));
    await client.send(
      new UploadPartCommand({ Bucket: s3.bucket, Key: `${s3.prefix}blob_crashed`, UploadId: created.UploadId, PartNumber: 1, Body: randomBytes(5 * MiB) }),
    );
    assert.deepEqual(await unfinishedUploads(s3), [`${s3.prefix}blob_crashed`]);
    const none = async (): Promise<Set<string>> => new Set();
    assert.equal(await store.sweepIncompleteWrites(Date.now() - 3_600_000, none), 0, 'younger than the cut-off: spared');
    assert.equal(await store.sweepIncompleteWrites(Date.now() + 60_000, async () => new Set(['blob_crashed'])), 0, 'in use: spared');
    assert.equal(await store.sweepIncompleteWrites(Date.now() + 60_000, none), 1);
    assert.deepEqual(await unfinishedUploads(s3), []);
  } finally {
    client.destroy();
    await store.close();
  }
});

it("s3: an assembly aborts the unfinished assembly of its key a dead completion left (the sweep would spare it once the key is a file's)", async () => {
  const s3 = await freshS3();
  const store = storeFor(s3);
  await store.init();
  const client = await testS3Client(s3);
  try {
    const parts = store.parts;
    assert.ok(parts?.assemble);
    const bytes = randomBytes(1000);
    await parts.putPart('upload_1', 'part_1', (async function* () {
      yield bytes;
    })());
    // What a completion killed mid-assembly leaves: a multipart upload of the file's key.
    await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: `${s3.prefix}blob_assembled` }));
    assert.deepEqual(await unfinishedUploads(s3), [`${s3.prefix}blob_assembled`]);
    // The completion that took the claim over assembles the same key.
    await parts.assemble('blob_assembled', 'upload_1', [{ partId: 'part_1', sizeBytes: bytes.length }]);
    assert.equal(sha256(await readAll(await store.get('blob_assembled'))), sha256(bytes));
    assert.deepEqual(await unfinishedUploads(s3), [], 'no assembly of the key left behind');
  } finally {
    client.destroy();
    await store.close();
  }
});

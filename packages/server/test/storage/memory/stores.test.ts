/** The in-memory stores, the reference implementations of every contract. */
import { MemoryMetadataBackend } from '../../../src/storage/memory/backend.js';
import { MemoryBlobStore } from '../../../src/storage/memory/blob-store.js';
import { testBlobParts, testBlobStore, testMetadataBackend } from '../../../src/testing/index.js';

testBlobStore({ name: 'memory', create: () => new MemoryBlobStore() });
testMetadataBackend({ name: 'memory', create: () => new MemoryMetadataBackend() });
testBlobParts({ name: 'memory', create: () => new MemoryBlobStore() });

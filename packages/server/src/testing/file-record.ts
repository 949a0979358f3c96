/** A file record for the storage tests: a binary file with a random hash and blob key. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FileRecord } from '../storage/records.js';

export function binaryFileRecord(fields: Pick<FileRecord, 'id' | 'workspaceId' | 'sizeBytes' | 'createdAtMs'>): FileRecord {
  return {
    ...fields,
    filename: 'f.bin',
    mimeType: 'application/octet-stream',
    sha256: randomBytes(32).toString('hex'),
    purpose: 'user_data',
    dialect: 'anthropic',
    expiresAtMs: null,
    blobKey: `blob_${randomUUID().replace(/-/g, '')}`,
  };
}

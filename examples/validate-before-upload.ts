// The Files API document\'s best practice 6, in TypeScript: "Validate Before Upload". Run: node
// examples/dist/validate-before-upload.js <path> [max_mb]
import { stat } from 'node:fs/promises';
import { Cabinet, fileFromPath } from '@cabinet/client';
import type { FileMetadata } from '@cabinet/client';

const client = new Cabinet();

/** Validate file before upload. */
async function validateAndUpload(filepath: string, maxSizeMb = 10): Promise<FileMetadata> {
  const info = await stat(filepath).catch(() => undefined);
  if (!info) throw new Error(`File not found: ${filepath}`);

  const sizeMb = info.size / (1024 * 1024);
  if (sizeMb > maxSizeMb) throw new Error(`File too large: ${sizeMb.toFixed(1)}MB (max ${maxSizeMb}MB)`);

  return client.beta.files.upload({ file: await fileFromPath(filepath), purpose: 'user_data' });
}

try {
  const uploaded = await validateAndUpload(process.argv[2] ?? 'document.pdf', Number(process.argv[3] ?? 10));
  console.log(`Uploaded: ${uploaded.id}`);
} catch (e) {
  console.log(`Not uploaded: ${(e as Error).message}`);
}

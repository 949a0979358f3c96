// The Files API document's example "Error Handling", in TypeScript. A 413 is a
// RequestTooLargeError, which is also a BadRequestError, so the example's `except BadRequestError`
// branch catches a too-large file as it expects.
import { writeFile } from 'node:fs/promises';
import { APIError, BadRequestError, Cabinet, NotFoundError, fileFromPath } from '@cabinet/client';

const client = new Cabinet();

// Upload with error handling
try {
  const file = await fileFromPath('large_document.pdf');
  const uploaded = await client.beta.files.upload({ file, purpose: 'user_data' });
  console.log(`Uploaded: ${uploaded.id}`);
} catch (e) {
  if (e instanceof BadRequestError) {
    if (e.message.toLowerCase().includes('size')) console.log(`File too large: ${e.message}`);
    else console.log(`Invalid file: ${e.message}`);
  } else if (e instanceof APIError) {
    console.log(`Upload failed: ${e.message}`);
  } else throw e;
}

// Download with error handling
try {
  const content = await client.beta.files.download('file_abc123');
  await writeFile('output.pdf', content);
} catch (e) {
  if (e instanceof NotFoundError) console.log('File not found');
  else if (e instanceof APIError) console.log(`Download failed: ${e.message}`);
  else throw e;
}

// Delete with validation
const fileId = 'file_abc123';
try {
  // Check if file exists
  const fileMetadata = await client.beta.files.retrieve(fileId);
  console.log(`Deleting ${fileMetadata.filename}`);

  // Delete file
  const deleted = await client.beta.files.delete(fileId);
  console.log(`Deleted: ${deleted.deleted}`);
} catch (e) {
  if (e instanceof NotFoundError) console.log(`File ${fileId} not found`);
  else if (e instanceof APIError) console.log(`Deletion failed: ${e.message}`);
  else throw e;
}

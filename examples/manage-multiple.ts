// The Files API document's example "Manage Multiple Files", in TypeScript.
import { Cabinet, fileFromPath } from '@cabinet/client';

const client = new Cabinet();

// Upload multiple files
const filesToUpload = ['document1.pdf', 'document2.pdf', 'data.csv'];

const uploadedFiles = [];
for (const filepath of filesToUpload) {
  const uploaded = await client.beta.files.upload({ file: await fileFromPath(filepath), purpose: 'user_data' });
  uploadedFiles.push(uploaded);
  console.log(`Uploaded ${uploaded.filename}: ${uploaded.id}`);
}

// Track uploaded files
const fileIds = uploadedFiles.map((f) => f.id);
console.log(`Uploaded ${fileIds.length} files: ${fileIds.join(', ')}`);

// Later: clean up files
for (const fileId of fileIds) {
  await client.beta.files.delete(fileId);
  console.log(`Deleted ${fileId}`);
}

// The Files API document's example "Upload File from Path", in TypeScript. Run: node
// examples/dist/upload-from-path.js [path]
import { Cabinet, fileFromPath } from '@cabinet/client';

const client = new Cabinet();

// Upload PDF for document analysis
const file = await fileFromPath(process.argv[2] ?? 'document.pdf');
const uploaded = await client.beta.files.upload({ file, purpose: 'user_data' });

console.log(`Uploaded: ${uploaded.id}`);
console.log(`Filename: ${uploaded.filename}`);
console.log(`Size: ${uploaded.size} bytes`);
console.log(`Created: ${uploaded.created_at}`);

// The Files API document's example "Retrieve File Metadata", in TypeScript. Run: node
// examples/dist/retrieve-metadata.js <file_id>
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// Get file details
const fileMetadata = await client.beta.files.retrieve(process.argv[2] ?? 'file_abc123');

console.log(`ID: ${fileMetadata.id}`);
console.log(`Filename: ${fileMetadata.filename}`);
console.log(`Size: ${fileMetadata.size} bytes`);
console.log(`Purpose: ${fileMetadata.purpose}`);
console.log(`Created: ${fileMetadata.created_at}`);

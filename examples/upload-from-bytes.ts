// The Files API document's example "Upload File from Bytes", in TypeScript.
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// Upload file from bytes
const fileContent = new TextEncoder().encode('Sample document content...');
const uploaded = await client.beta.files.upload({ file: ['document.txt', fileContent], purpose: 'user_data' });

console.log(`Uploaded file ID: ${uploaded.id}`);

// The Files API document's example "Download File", in TypeScript. Run: node
// examples/dist/download.js <file_id>
import { writeFile } from 'node:fs/promises';
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// Download file content
const fileId = process.argv[2] ?? 'file_abc123';
const content = await client.beta.files.download(fileId);

// Save to disk (for large files, client.beta.files.downloadToFile streams and verifies instead)
await writeFile('downloaded_file.pdf', content);

console.log(`Downloaded ${content.length} bytes`);

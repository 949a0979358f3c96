// The Files API document's example "Delete File", in TypeScript. Run: node examples/dist/delete.js
// <file_id>
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// Delete file
const deleted = await client.beta.files.delete(process.argv[2] ?? 'file_abc123');
console.log(`Deleted file: ${deleted.id}`);
console.log(`Deleted: ${deleted.deleted}`);

// The Files API document's example "List All Files", in TypeScript: iterating the list walks every
// page.
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// List all uploaded files
for await (const file of client.beta.files.list()) {
  console.log(`${file.filename} (${file.id}) - ${file.purpose}`);
}

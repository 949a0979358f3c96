// The Files API document's example "Check File Before Use", in TypeScript. Run: node
// examples/dist/check-before-use.js <file_id>
import { APIError, Cabinet, NotFoundError } from '@cabinet/client';

const client = new Cabinet();

/** Safely perform operations on a file. */
async function safeFileOperation(fileId: string): Promise<Uint8Array | null> {
  try {
    // Verify file exists
    const metadata = await client.beta.files.retrieve(fileId);

    // Check file properties
    if (metadata.purpose !== 'user_data') console.log(`Warning: File has purpose '${metadata.purpose}'`);

    // Download if needed
    const content = await client.beta.files.download(fileId);
    console.log(`File size: ${content.length} bytes`);
    return content;
  } catch (e) {
    if (e instanceof NotFoundError) {
      console.log(`File ${fileId} not found`);
      return null;
    }
    if (e instanceof APIError) {
      console.log(`Error: ${e.message}`);
      return null;
    }
    throw e;
  }
}

// Use safely
const content = await safeFileOperation(process.argv[2] ?? 'file_abc123');
if (content) {
  // Process content
  console.log(`Processing ${content.length} bytes`);
}

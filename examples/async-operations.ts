// The Files API document's example "Async File Operations", in TypeScript. Every call of the
// TypeScript SDK is already async; this runs the example's sequence, with the uploads of two files
// in parallel to show what async buys.
import { Cabinet, fileFromPath } from '@cabinet/client';

async function main(): Promise<void> {
  const client = new Cabinet();

  // Upload file (two at once)
  const [uploaded, second] = await Promise.all([
    client.beta.files.upload({ file: await fileFromPath('document.pdf'), purpose: 'user_data' }),
    client.beta.files.upload({ file: ['notes.txt', 'async notes'], purpose: 'user_data' }),
  ]);
  console.log(`Uploaded: ${uploaded.id}`);

  // List files
  const files = await client.beta.files.list({ limit: 10 });
  for await (const file of files) console.log(`File: ${file.filename}`);

  // Download file
  const content = await client.beta.files.download(uploaded.id);
  console.log(`Downloaded ${content.length} bytes`);

  // Delete files
  const deleted = await client.beta.files.delete(uploaded.id);
  await client.beta.files.delete(second.id);
  console.log(`Deleted: ${deleted.id}`);
}

await main();

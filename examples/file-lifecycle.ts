// The Files API document's example "File Lifecycle Management", in TypeScript. FileManager ships
// with the SDK; `await using` replaces the example's try/finally: the files are deleted when the
// block ends, even if it throws.
import { Cabinet, FileManager } from '@cabinet/client';

const client = new Cabinet();

{
  await using manager = new FileManager(client);

  // Upload files
  const file1 = await manager.upload('doc1.pdf');
  const file2 = await manager.upload('doc2.pdf');

  // Use files...
  console.log(`Using files: ${file1.id}, ${file2.id}`);
}

// The same with an explicit cleanup, as the example writes it:
const manager = new FileManager(client);
try {
  const file = await manager.upload('doc1.pdf');
  console.log(`Using file: ${file.id}`);
} finally {
  // Always cleanup
  const report = await manager.cleanup();
  for (const id of report.deleted) console.log(`Deleted ${id}`);
  for (const { id, error } of report.failed) console.log(`Failed to delete ${id}: ${(error as Error).message}`);
}

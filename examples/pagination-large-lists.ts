// The Files API document's best practice 7, in TypeScript: "Pagination for Large Lists".
import { Cabinet } from '@cabinet/client';
import type { FileMetadata } from '@cabinet/client';

/** List all files with pagination. */
async function listAllFiles(client: Cabinet): Promise<FileMetadata[]> {
  const allFiles: FileMetadata[] = [];
  let afterId: string | undefined;

  for (;;) {
    const page = await client.beta.files.list({ limit: 100, after_id: afterId });
    allFiles.push(...page.data);

    if (!page.hasNextPage()) break;

    afterId = page.data[page.data.length - 1]?.id;
  }
  return allFiles;
}

const files = await listAllFiles(new Cabinet());
console.log(`Found ${files.length} files`);
console.log(`Unique: ${new Set(files.map((f) => f.id)).size}`);

// The Files API document's example "List Files with Pagination", in TypeScript, including the
// reverse walk.
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// List files with limit (page.data is this page only; `for await` on a page walks on to the end)
const page1 = await client.beta.files.list({ limit: 10 });
for (const file of page1.data) console.log(`File: ${file.filename}`);

// Get next page
if (page1.hasNextPage()) {
  const page2 = await client.beta.files.list({ limit: 10, after_id: page1.data[page1.data.length - 1]?.id });
  for (const file of page2.data) console.log(`File: ${file.filename}`);
}

// List files in reverse: from an older page, `before_id` walks back towards the newest files
const olderFiles = await client.beta.files.list({ limit: 5, after_id: page1.data[4]?.id });
const newerFiles = await client.beta.files.list({ limit: 5, before_id: olderFiles.data[0]?.id });
console.log(`Newer than ${olderFiles.data[0]?.filename}: ${newerFiles.data.map((f) => f.filename).join(', ')}`);

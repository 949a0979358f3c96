// The Files API document's example "Upload for Batch Processing", in TypeScript.
import { Cabinet } from '@cabinet/client';

const client = new Cabinet();

// Prepare batch requests
const batchRequests = [
  {
    custom_id: 'request-1',
    params: {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hello' }],
    },
  },
];

// Convert to JSONL format
const jsonlContent = batchRequests.map((req) => JSON.stringify(req)).join('\n');

// Upload batch file (Cabinet validates every line as it streams)
const batchFile = await client.beta.files.upload({
  file: ['batch_requests.jsonl', new TextEncoder().encode(jsonlContent)],
  purpose: 'batch',
});

console.log(`Batch file uploaded: ${batchFile.id}`);

// The Files API document's example "Use File in Message", for an app that calls a model provider
// directly rather than through Cabinet's gateway (use-in-message.ts): resolveFileReferences inlines the file's content from
// Cabinet into the request, so it works against any Messages endpoint, including providers with no
// Files API. No model is called here: the resolved request is printed.
import { Cabinet, fileFromPath, resolveFileReferences } from '@cabinet/client';

const client = new Cabinet();

// Upload document
const file = await fileFromPath('research_paper.pdf');
const uploaded = await client.beta.files.upload({ file, purpose: 'user_data' });

// Use file in message with citations
const request = {
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 2048,
  messages: [
    {
      role: 'user',
      content: [
        { type: 'document', source: { type: 'file', file_id: uploaded.id }, citations: { enabled: true } },
        { type: 'text', text: 'Summarize this document with citations' },
      ],
    },
  ],
};

const resolved = await resolveFileReferences(client, request);
const document = resolved.messages[0]?.content[0] as { source: { type: string; media_type: string; data: string } };
console.log(`Referenced: ${uploaded.id}`);
console.log(`Resolved source: ${document.source.type} ${document.source.media_type}, ${document.source.data.length} base64 characters`);
// Send `resolved` with any Messages client, e.g. new Anthropic().messages.create(resolved).

// The Files API document's example "Use File in Message", in TypeScript. The message references the
// uploaded file by id, in that document's own form (the id in a base64 source); Cabinet's Messages
// gateway resolves it from the workspace and forwards the request to the model upstream the server
// is configured with (CABINET_UPSTREAM: anthropic, bedrock, vertex, or the built-in offline mock).
// README: "Use your files with Claude".
import { Cabinet, fileFromPath } from '@cabinet/client';

const client = new Cabinet();

// Upload document
const file = await fileFromPath('research_paper.pdf');
const uploaded = await client.beta.files.upload({ file, purpose: 'user_data' });

// Use file in message with citations
const message = await client.beta.messages.create({
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 2048,
  messages: [
    {
      role: 'user',
      content: [
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: uploaded.id }, citations: { enabled: true } },
        { type: 'text', text: 'Summarize this document with citations' },
      ],
    },
  ],
});

// Process citations
for (const block of message.content) {
  if (block.type === 'text') console.log(block.text);
  for (const citation of block.citations ?? []) console.log(`Citation: ${citation.cited_text}`);
}

/**
 * OpenAPI description of the Messages gateway (docs/gateway.md): `POST /v1/messages` and
 * `count_tokens` with Cabinet file references resolved, and the pass-through fallback. The bodies
 * are Anthropic's Messages API, relayed from the upstream; only what Cabinet itself relies on is
 * spelled out, the rest is left open (`additionalProperties`).
 */
import type { ApiDocGroup, JsonSchema } from './types.js';
import { json, ref } from './types.js';

const request: JsonSchema = {
  type: 'object',
  required: ['model', 'messages'],
  description:
    "Anthropic's Messages request. Document and image blocks may reference Cabinet files: `{type: \"document\"|\"image\", source: {type: \"file\", file_id}}` (also inside `tool_result`); they are resolved in the caller's workspace and inlined (or mirrored).",
  properties: {
    model: { type: 'string', minLength: 1 },
    messages: { type: 'array', items: { type: 'object' } },
    max_tokens: { type: 'integer', minimum: 1 },
    stream: { type: 'boolean' },
  },
};

export const MESSAGES_DOCS: ApiDocGroup = {
  tags: [
    {
      name: 'Messages gateway',
      description:
        'Served when CABINET_UPSTREAM is set. With the anthropic upstream, every other `/v1/` route Cabinet does not serve is passed through unchanged (`x-cabinet-pass-through`).',
    },
  ],
  schemas: {
    MessagesRequest: request,
    Message: {
      type: 'object',
      required: ['id', 'type', 'role', 'content', 'model'],
      description: "The upstream's message, relayed.",
      properties: {
        id: { type: 'string' },
        type: { const: 'message' },
        role: { const: 'assistant' },
        content: { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
        model: { type: 'string' },
        stop_reason: { type: ['string', 'null'] },
        stop_sequence: { type: ['string', 'null'] },
        usage: { type: 'object', properties: { input_tokens: { type: 'integer' }, output_tokens: { type: 'integer' } } },
      },
    },
    TokenCount: {
      type: 'object',
      required: ['input_tokens'],
      properties: { input_tokens: { type: 'integer', minimum: 0 } },
    },
  },
  operations: {
    'messages.create': {
      summary: 'Create a message, Cabinet files resolved',
      description: 'Forwarded to the upstream once every referenced file was found in the caller\'s workspace and fits; `stream: true` answers server-sent events.',
      tags: ['Messages gateway'],
      requestBody: { required: true, content: { 'application/json': { schema: ref('MessagesRequest') } } },
      responses: {
        '200': {
          description: 'The message, or its event stream.',
          content: { 'application/json': { schema: ref('Message') }, 'text/event-stream': { schema: { type: 'string' } } },
        },
        '400': json('A bad request, a file that cannot go in its block, or too large to inline.', 'Error'),
        '404': json('A referenced file not found in this workspace.', 'Error'),
        '413': json('The request with its files inlined is over the upstream\'s limit.', 'Error'),
        '502': json('The upstream could not be reached or answered something unusable.', 'Error'),
        '504': json('The upstream did not answer in time (CABINET_UPSTREAM_TIMEOUT_MS).', 'Error'),
      },
    },
    'messages.countTokens': {
      summary: 'Count a message\'s tokens, Cabinet files resolved',
      tags: ['Messages gateway'],
      requestBody: { required: true, content: { 'application/json': { schema: ref('MessagesRequest') } } },
      responses: {
        '200': json('The count.', 'TokenCount'),
        '400': json('A bad request, or a file that cannot go in its block.', 'Error'),
        '404': json('A referenced file not found in this workspace.', 'Error'),
        '413': json('The request with its files inlined is over the upstream\'s limit.', 'Error'),
        '502': json('The upstream could not be reached.', 'Error'),
        '504': json('The upstream did not answer in time.', 'Error'),
      },
    },
    'upstream.forward': {
      summary: 'Pass-through to the anthropic upstream',
      description: 'Any method on any path under `/v1/` that no other route serves (never the Files API), forwarded unchanged with the upstream key.',
      tags: ['Messages gateway'],
      responses: { default: { description: "The upstream's answer, relayed." } },
    },
  },
};

/** Anthropic-shaped answers the fake upstreams give: a message, and the SSE events of a streamed one. */
import { createHash } from 'node:crypto';

export interface FakeMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<{ type: 'text'; text: string }>;
  stop_reason: string | null;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

export function fakeMessage(model: string, inputTokens: number, text: string): FakeMessage {
  return {
    id: `msg_fake_${createHash('sha256').update(`${model}${inputTokens}${text}`).digest('hex').slice(0, 20)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: 7 },
  };
}

/** message_start, content_block_start, `deltas` text deltas (`tok0 `, `tok1 `, …), stops. */
export function streamEvents(model: string, inputTokens: number, deltas: number): Array<Record<string, unknown>> {
  const start = { ...fakeMessage(model, inputTokens, ''), content: [], stop_reason: null, usage: { input_tokens: inputTokens, output_tokens: 1 } };
  const events: Array<Record<string, unknown>> = [
    { type: 'message_start', message: start },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ];
  for (let i = 0; i < deltas; i++) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `tok${i} ` } });
  events.push({ type: 'content_block_stop', index: 0 });
  events.push({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: deltas } });
  events.push({ type: 'message_stop' });
  return events;
}

export function sseFrame(event: Record<string, unknown>): string {
  return `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`;
}

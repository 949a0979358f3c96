/**
 * The mock upstream (`CABINET_UPSTREAM=mock`): a deterministic Messages endpoint inside Cabinet,
 * so an app's whole files-and-messages flow runs in tests with no key and no network
 * (docs/gateway.md, "The mock upstream").
 *
 * Its reply states what it received: one line per content block with the block's type, and for
 * documents and images the source type, media type, byte length and SHA-256 of the resolved
 * content — so a test can assert that the right file arrived. `stream: true` answers with the
 * real SSE event sequence; `count_tokens` answers `{input_tokens}`. The `cabinet-mock-fault`
 * request header injects failures for testing an app's retry paths:
 *
 *   cabinet-mock-fault: 429 | 500 | 503 | 529 | stall [; attempts=N] [; retry_after_ms=MS]
 *
 * A status answers with Anthropic's error envelope and retry headers (`retry-after-ms`,
 * `retry-after`, `x-should-retry: true`); `stall` never answers (until the caller or the gateway
 * timeout gives up). `attempts=N` fails only the first N attempts (by the SDK's
 * `x-stainless-retry-count`), so a retrying client ends in success.
 */
import { createHash } from 'node:crypto';
import type { ErrorType } from '@cabinet/client/wire';
import { isObject } from '../file-references.js';
import type { FileSlot } from '../request-body.js';
import type { Upstream, UpstreamCall } from '../upstream.js';
import { errorResponse, errorTypeFor } from './error-envelope.js';

export const MOCK_FAULT_HEADER = 'cabinet-mock-fault';

interface Fault {
  kind: number | 'stall';
  attempts: number;
  retryAfterMs: number;
}

interface Received {
  lines: string[];
  bytes: number;
}

const FAULT_MESSAGES: Record<number, [ErrorType, string]> = {
  429: ['rate_limit_error', 'Mock rate limit (cabinet-mock-fault).'],
  500: ['api_error', 'Mock internal error (cabinet-mock-fault).'],
  503: ['overloaded_error', 'Mock service unavailable (cabinet-mock-fault).'],
  529: ['overloaded_error', 'Mock overload (cabinet-mock-fault).'],
};

export class MockUpstream implements Upstream {
  readonly name = 'mock';

  adapt(envelope: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return { ...envelope };
  }

  async send(call: UpstreamCall): Promise<Response> {
    const fault = parseFault(call.headers.get(MOCK_FAULT_HEADER));
    if (fault instanceof Error) return errorResponse(400, 'invalid_request_error', fault.message, call.requestId);
    const attempt = Number(call.headers.get('x-stainless-retry-count') ?? 0) || 0;
    if (fault && attempt < fault.attempts) {
      if (fault.kind === 'stall') return stall(call.signal);
      const [type, message] = FAULT_MESSAGES[fault.kind] ?? [errorTypeFor(fault.kind), 'Mock error (cabinet-mock-fault).'];
      return errorResponse(fault.kind, type, message, call.requestId, {
        'retry-after-ms': String(fault.retryAfterMs),
        'retry-after': String(Math.max(1, Math.ceil(fault.retryAfterMs / 1000))),
        'x-should-retry': 'true',
      });
    }
    const envelope = call.body.envelope as Record<string, unknown>;
    const problem = invalid(envelope, call.op);
    if (problem) return errorResponse(400, 'invalid_request_error', problem, call.requestId);
    const received = await describe(envelope, call.body.slots);
    const inputTokens = Math.max(1, Math.ceil(received.bytes / 4));
    if (call.op === 'count_tokens') return json({ input_tokens: inputTokens });

    const model = String(envelope['model']);
    const text = received.lines.join('\n');
    const id = `msg_mock_${createHash('sha256').update(`${model}\n${text}`).digest('hex').slice(0, 24)}`;
    const outputTokens = Math.max(1, Math.ceil(text.length / 4));
    const usage = { input_tokens: inputTokens, output_tokens: outputTokens };
    if (!call.stream) {
      return json({ id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage });
    }
    const events: Array<Record<string, unknown>> = [
      { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      ...received.lines.map((line, i) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: i === 0 ? line : `\n${line}` } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } },
      { type: 'message_stop' },
    ];
    const sse = events.map((e) => `event: ${String(e['type'])}\ndata: ${JSON.stringify(e)}\n\n`).join('');
    return new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } });
  }
}

/** What the real API would refuse first (a subset: enough for an app's own validation paths). */
function invalid(envelope: Record<string, unknown>, op: UpstreamCall['op']): string | undefined {
  if (op === 'messages' && typeof envelope['max_tokens'] !== 'number') return 'max_tokens: Field required';
  const messages = envelope['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || (m['role'] !== 'user' && m['role'] !== 'assistant')) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m['content'] !== 'string' && !Array.isArray(m['content'])) return `messages.${i}.content: Field required`;
  }
  return undefined;
}

async function describe(envelope: Record<string, unknown>, slots: ReadonlyMap<string, FileSlot>): Promise<Received> {
  const received: Received = { lines: [], bytes: 0 };
  const messages = envelope['messages'] as Array<Record<string, unknown>>;
  received.lines.push(`Cabinet mock upstream: model ${String(envelope['model'])}, ${messages.length} message${messages.length === 1 ? '' : 's'}.`);
  for (const [i, message] of messages.entries()) {
    const content = message['content'];
    const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : (content as unknown[]);
    for (const [j, block] of blocks.entries()) {
      await describeBlock(`messages[${i}].content[${j}]`, block, slots, received);
      if (isObject(block) && block['type'] === 'tool_result' && Array.isArray(block['content'])) {
        for (const [k, inner] of block['content'].entries()) await describeBlock(`messages[${i}].content[${j}].content[${k}]`, inner, slots, received);
      }
    }
  }
  return received;
}

async function describeBlock(at: string, block: unknown, slots: ReadonlyMap<string, FileSlot>, received: Received): Promise<void> {
  if (!isObject(block)) {
    received.lines.push(`${at}: not an object`);
    return;
  }
  const type = String(block['type']);
  if (type === 'text' && typeof block['text'] === 'string') {
    received.lines.push(`${at}: text, ${measure(Buffer.from(block['text']), received)}`);
    return;
  }
  const source = block['source'];
  if ((type !== 'document' && type !== 'image') || !isObject(source)) {
    received.lines.push(`${at}: ${type}`);
    return;
  }
  const sourceType = String(source['type']);
  const data = source['data'];
  const slot = typeof data === 'string' ? slots.get(data) : undefined;
  let content: Buffer | undefined;
  if (slot) {
    const { length, sha256 } = await hashSlot(slot);
    received.bytes += length;
    received.lines.push(`${at}: ${type} ${sourceType} ${String(source['media_type'])}, ${length} bytes, sha256 ${sha256}`);
    return;
  }
  if (sourceType === 'base64' && typeof data === 'string') content = Buffer.from(data, 'base64');
  else if (sourceType === 'text' && typeof data === 'string') content = Buffer.from(data);
  if (content) received.lines.push(`${at}: ${type} ${sourceType} ${String(source['media_type'])}, ${measure(content, received)}`);
  else if (sourceType === 'url') received.lines.push(`${at}: ${type} url ${String(source['url'])}`);
  else if (sourceType === 'file') received.lines.push(`${at}: ${type} file ${String(source['file_id'])}`);
  else received.lines.push(`${at}: ${type} ${sourceType}`);
}

function measure(bytes: Buffer, received: Received): string {
  received.bytes += bytes.length;
  return `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The resolved content of a slot: the file's bytes (base64), or its text as UTF-8 (text). */
async function hashSlot(slot: FileSlot): Promise<{ length: number; sha256: string }> {
  const hash = createHash('sha256');
  let length = 0;
  const add = (bytes: Uint8Array): void => {
    hash.update(bytes);
    length += bytes.length;
  };
  const decoder = slot.encoding === 'text' ? new TextDecoder('utf-8') : undefined;
  for await (const chunk of await slot.open()) {
    if (decoder) add(Buffer.from(decoder.decode(chunk, { stream: true })));
    else add(chunk);
  }
  if (decoder) add(Buffer.from(decoder.decode()));
  return { length, sha256: hash.digest('hex') };
}

function parseFault(header: string | null): Fault | undefined | Error {
  if (header === null || header.trim() === '') return undefined;
  const [kind = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const fault: Fault = { kind: kind === 'stall' ? 'stall' : Number(kind), attempts: Number.POSITIVE_INFINITY, retryAfterMs: 100 };
  if (fault.kind !== 'stall' && !(Number.isInteger(fault.kind) && fault.kind >= 400 && fault.kind <= 599)) {
    return new Error(`${MOCK_FAULT_HEADER}: expected a status from 400 to 599 or \`stall\`; got ${JSON.stringify(kind)}`);
  }
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) return new Error(`${MOCK_FAULT_HEADER}: ${name} needs a whole number`);
    if (name === 'attempts') fault.attempts = n;
    else if (name === 'retry_after_ms') fault.retryAfterMs = n;
    else return new Error(`${MOCK_FAULT_HEADER}: unknown parameter ${JSON.stringify(name)} (attempts, retry_after_ms)`);
  }
  return fault;
}

function stall(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * `client.beta.messages`: Messages through Cabinet's gateway (a server with `CABINET_UPSTREAM`
 * set), where file ids in the request — `{type: "file", file_id}` sources, or the file id in a
 * base64 source as the Files API document writes it — are resolved from Cabinet. That document's
 * "Use File in Message" example calls it on the same client that uploaded the file. Non-streaming `create` and `countTokens`; for streaming,
 * tools and every other Messages feature, point the official SDK at Cabinet (docs/gateway.md).
 */
import type { Cabinet, RequestOptions } from '../client.js';

/** A Messages request: `model`, `max_tokens`, `messages`, and any other field of the API, passed as is. */
export interface MessageCreateParams {
  model: string;
  max_tokens: number;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> }>;
  [field: string]: unknown;
}

export interface TextCitation {
  type: string;
  cited_text: string;
  [field: string]: unknown;
}

export interface ContentBlock {
  type: string;
  text?: string;
  citations?: TextCitation[] | null;
  [field: string]: unknown;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: string | null;
  usage: { input_tokens: number; output_tokens: number; [field: string]: unknown };
}

export class Messages {
  constructor(private readonly client: Cabinet) {}

  /** `POST /v1/messages` (not streamed: `stream` must not be true). */
  async create(params: MessageCreateParams, options: RequestOptions = {}): Promise<Message> {
    if (params['stream'] === true) throw new TypeError('messages.create does not stream; use the official SDK against Cabinet for streams');
    return this.post<Message>('/v1/messages', params, options);
  }

  /** `POST /v1/messages/count_tokens`. */
  countTokens(params: Omit<MessageCreateParams, 'max_tokens'>, options: RequestOptions = {}): Promise<{ input_tokens: number }> {
    return this.post('/v1/messages/count_tokens', params, options);
  }

  private post<T>(path: string, params: object, options: RequestOptions): Promise<T> {
    const json = JSON.stringify(params);
    return this.client.json<T>({ method: 'POST', path, body: () => ({ body: json, headers: { 'content-type': 'application/json' } }) }, options);
  }
}

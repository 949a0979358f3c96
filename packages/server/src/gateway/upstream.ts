/**
 * What an upstream is: the one small interface every adapter (`adapters/anthropic.ts`,
 * `bedrock.ts`, `vertex.ts`, `mock.ts`) implements. A new upstream is one adapter file and one
 * value of `CABINET_UPSTREAM` (docs/architecture.md); the routes and the file resolution do not
 * change.
 */
import type { PlannedBody } from './request-body.js';

export type UpstreamName = 'anthropic' | 'bedrock' | 'vertex' | 'mock';

/** `POST /v1/messages` or `POST /v1/messages/count_tokens`. */
export type MessagesOperation = 'messages' | 'count_tokens';

export interface AdaptContext {
  readonly op: MessagesOperation;
  /** The caller's `anthropic-beta` values (Bedrock takes them in the body). */
  readonly betas: readonly string[];
}

export interface UpstreamCall {
  readonly op: MessagesOperation;
  readonly model: string;
  readonly stream: boolean;
  /** The body, already adapted (`adapt`) and planned; render it with request-body.ts. */
  readonly body: PlannedBody;
  /** The caller's request headers; each adapter forwards only what its upstream should see. */
  readonly headers: Headers;
  /** The caller's query string (`?beta=true` or ''). */
  readonly search: string;
  /** Cabinet's request id, for error envelopes an adapter writes itself. */
  readonly requestId: string;
  /** Aborts when the caller goes away or the upstream timeout passes; stays live while the body streams. */
  readonly signal: AbortSignal;
}

/** Any other request, forwarded unchanged (the anthropic upstream only). */
export interface ForwardCall {
  readonly method: string;
  /** The request target as received: path and query. */
  readonly target: string;
  readonly headers: Headers;
  /** The caller's body, streamed through; `undefined` for GET and HEAD. */
  readonly body: AsyncIterable<Uint8Array> | undefined;
  readonly signal: AbortSignal;
}

/** A file to copy to the upstream's Files API. */
export interface FileToMirror {
  readonly filename: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  open(): Promise<AsyncIterable<Uint8Array>>;
}

/** The upstream's Files API, for mirroring (docs/gateway.md, "Mirroring"). */
export interface UpstreamFiles {
  /** Names the upstream and account a copy lives in (stored with each copy; never a secret). */
  readonly identity: string;
  /** Uploads a copy; resolves with its upstream id. */
  upload(file: FileToMirror, signal?: AbortSignal): Promise<string>;
  /** Deletes a copy; a copy that is already gone is not an error. */
  delete(upstreamFileId: string): Promise<void>;
}

export interface Upstream {
  readonly name: UpstreamName;
  /**
   * The request envelope in the provider's wire shape (Bedrock: no `model` or `stream`, its
   * `anthropic_version`, betas in the body; Vertex: no `model`, its `anthropic_version`). Returns
   * a new top-level object; nested blocks are shared with the input.
   */
  adapt(envelope: Readonly<Record<string, unknown>>, context: AdaptContext): Record<string, unknown>;
  /**
   * Sends the request and resolves once the upstream's response headers arrived: 2xx as the
   * upstream sent it (JSON, or SSE when streaming), errors with the upstream's status and retry
   * headers and a body in Anthropic's error envelope. Rejects with a ServiceError it chose
   * (gateway/errors.ts) or any other error for a connection failure.
   */
  send(call: UpstreamCall): Promise<Response>;
  /** Forwards a request for a route Cabinet does not serve. Absent: such routes are 404s. */
  forward?(call: ForwardCall): Promise<Response>;
  /** The upstream's Files API, when it has one that mirroring can use. */
  readonly files?: UpstreamFiles;
}

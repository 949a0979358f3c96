/**
 * The vertex upstream: Anthropic models on Google Vertex AI, through `@anthropic-ai/vertex-sdk`
 * (Google OAuth from application-default credentials). Loaded only when `CABINET_UPSTREAM=vertex`.
 *
 * Wire shape (docs/gateway.md, "Vertex"): `POST /projects/{project}/locations/{region}/publishers/
 * anthropic/models/{model}:rawPredict` or `:streamRawPredict`; no `model` in the body (`stream`
 * stays); `anthropic_version: "vertex-2023-10-16"` set explicitly; betas stay a header.
 * count_tokens is `…/models/count-tokens:rawPredict` with `model` kept in the body. Vertex needs
 * no payload hash, so the body is rendered once, straight into the request.
 */
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import type { AuthClient } from 'google-auth-library';
import { providerBetas, betasOf } from '../headers.js';
import { renderBody, toWebStream } from '../request-body.js';
import type { AdaptContext, Upstream, UpstreamCall } from '../upstream.js';
import { errorResponse, errorTypeFor } from './error-envelope.js';
import { asRawResponse, NO_TEE, rawErrors, SDK_TIMEOUT_MS } from './provider-sdk.js';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export interface VertexUpstreamOptions {
  region: string;
  projectId: string;
  /**
   * Resolved at start-up (create-upstream.ts): the SDK would otherwise resolve application-default
   * credentials in its constructor, and a broken credentials file would become an unhandled
   * rejection that ends the process.
   */
  authClient: AuthClient;
  /** Default: the SDK's, `https://{region}-aiplatform.googleapis.com/v1`. */
  baseUrl?: string | undefined;
}

export class VertexUpstream implements Upstream {
  readonly name = 'vertex';
  private readonly client: AnthropicVertex;
  private readonly models: string;

  constructor(options: VertexUpstreamOptions) {
    this.client = new AnthropicVertex({
      region: options.region,
      projectId: options.projectId,
      authClient: options.authClient,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
    });
    this.models = `/projects/${encodeURIComponent(options.projectId)}/locations/${encodeURIComponent(options.region)}/publishers/anthropic/models`;
  }

  adapt(envelope: Readonly<Record<string, unknown>>, context: AdaptContext): Record<string, unknown> {
    const { model, ...rest } = envelope;
    const body: Record<string, unknown> = rest;
    if (context.op === 'count_tokens') body['model'] = model;
    body['anthropic_version'] = VERTEX_ANTHROPIC_VERSION;
    return body;
  }

  async send(call: UpstreamCall): Promise<Response> {
    const path =
      call.op === 'count_tokens'
        ? `${this.models}/count-tokens:rawPredict`
        : `${this.models}/${pathSegment(call.model)}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(call.body.length) };
    const betas = providerBetas(betasOf(call.headers));
    if (betas.length > 0) headers['anthropic-beta'] = betas.join(',');
    const response = await asRawResponse(
      this.client.post(path, {
        body: toWebStream(renderBody(call.body.parts)),
        stream: call.stream,
        headers,
        signal: call.signal,
        middleware: [rawErrors],
        fetchOptions: NO_TEE,
      }),
    );
    return response.ok ? response : normalizeVertexError(response, call.requestId);
  }
}

/**
 * A model name as one path segment, the way the Vertex SDK writes it: RFC 3986 pchar stays as is
 * (`claude-sonnet-4-5@20250929` keeps its `@`), `/` and `;` are encoded (a server that drops
 * `;…` from a segment must not drop the method name).
 */
function pathSegment(model: string): string {
  return model.replace(/[^A-Za-z0-9\-._~!$&'()*+,=:@]+/g, (s) => encodeURIComponent(s).replace(/;/g, '%3B'));
}

/**
 * Vertex errors come in two shapes: Anthropic's envelope, passed through from the model server,
 * and Google's `{"error": {code, message, status}}` (authentication, quota, routing), which is
 * translated, keeping the status and Google's status name in the message.
 */
export async function normalizeVertexError(response: Response, requestId: string): Promise<Response> {
  const text = await response.text();
  let parsed: { type?: unknown; error?: { type?: unknown; message?: unknown; status?: unknown } } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const headers: Record<string, string> = {};
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null) headers['retry-after'] = retryAfter;
  if (parsed?.type === 'error' && typeof parsed.error?.type === 'string') {
    return new Response(text, { status: response.status, headers: { ...headers, 'content-type': 'application/json' } });
  }
  const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : text;
  const googleStatus = typeof parsed?.error?.status === 'string' ? parsed.error.status : undefined;
  return errorResponse(response.status, errorTypeFor(response.status), googleStatus ? `${googleStatus}: ${message}` : message, requestId, headers);
}

/**
 * Using a provider SDK (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`) as a signed
 * transport. The gateway calls `client.post(<wire path>, …)` rather than `messages.create`: the
 * request is already in the provider's wire shape and its body is a stream (messages.create would
 * need the whole body as a string, parse and re-serialise it, and hash it in pure JS: measured
 * 2.4 GiB and 22.8 s for 16 × 30 MB in the gateway spike, docs/gateway.md "Memory"). The SDK's
 * backend middleware still signs (SigV4, Google OAuth) and converts Bedrock's event stream to SSE.
 */

/** Carries a non-2xx response out of the SDK unread (the SDK would otherwise read and parse it). */
export class UpstreamHttpError extends Error {
  constructor(readonly response: Response) {
    super(`upstream answered ${response.status}`);
    this.name = 'UpstreamHttpError';
  }
}

/** Per-request SDK middleware: error responses leave through UpstreamHttpError, bodies untouched. */
export async function rawErrors<R>(request: R, next: (request: R) => Promise<Response>): Promise<Response> {
  const response = await next(request);
  if (!response.ok) throw new UpstreamHttpError(response);
  return response;
}

/** Runs an SDK call and comes back with its Response, 2xx or not (connection errors still throw). */
export async function asRawResponse(call: { asResponse(): Promise<Response> }): Promise<Response> {
  try {
    return await call.asResponse();
  } catch (err) {
    if (err instanceof UpstreamHttpError) return err.response;
    throw err;
  }
}

/** See `STREAMING_FETCH` in anthropic.ts: without it fetch buffers a streamed body whole. */
export const NO_TEE = { redirect: 'error' } as const;

/**
 * The SDK's own per-attempt timeout, set beyond the gateway's (which aborts the call's signal at
 * `CABINET_UPSTREAM_TIMEOUT_MS` and answers 504), so there is one timeout and one answer.
 */
export const SDK_TIMEOUT_MS = 2 ** 31 - 1;

/** A copy of a response with `request-id` set from the provider's own request id, if it has one. */
export function withRequestId(response: Response, providerHeader: string): Response {
  const id = response.headers.get(providerHeader);
  if (id === null || response.headers.has('request-id')) return response;
  const headers = new Headers(response.headers);
  headers.set('request-id', id);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Which headers cross the gateway (docs/gateway.md, "Headers").
 *
 * Towards the upstream, an allow-list: Anthropic's own headers and the SDK's telemetry pass, never
 * the caller's credentials (a Cabinet key must not leave Cabinet) nor `anthropic-workspace-id`,
 * which names a Cabinet workspace here. Back to the caller, everything but what belongs to one hop
 * or was undone by fetch (it decompresses, so the length and encoding no longer hold).
 */

/** The beta that makes the Files API (and file ids in Messages) available. */
export const FILES_API_BETA = 'files-api-2025-04-14';

/** Request headers forwarded to the anthropic upstream (besides `anthropic-*`, see below). */
const FORWARD_REQUEST = new Set(['content-type', 'accept', 'user-agent', 'idempotency-key']);
/** Cabinet's own headers, consumed here. */
const CABINET_REQUEST = new Set(['anthropic-workspace-id', 'cabinet-mock-fault']);

/**
 * Response headers that describe one connection (RFC 9110 §7.6.1) or an encoding already undone
 * (fetch, which the provider SDKs use, decompresses; Cabinet's own client asks for none). The length
 * is relayed only for a body that was not encoded (see `relayedResponseHeaders`).
 */
const NOT_RELAYED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'content-encoding',
  'set-cookie',
  'alt-svc',
  'date',
  'server',
]);

/** The caller's headers as the anthropic upstream should see them (without credentials). */
export function forwardedRequestHeaders(caller: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of caller) {
    if (CABINET_REQUEST.has(name)) continue;
    if (name.startsWith('anthropic-') || name.startsWith('x-stainless-') || FORWARD_REQUEST.has(name)) out.set(name, value);
  }
  return out;
}

/** The upstream response's headers that go back to the caller. */
export function relayedResponseHeaders(upstream: Headers): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of upstream) if (!NOT_RELAYED.has(name)) out.push([name, value]);
  const length = upstream.get('content-length');
  const encoding = upstream.get('content-encoding');
  // The length still holds for a body that was not encoded: the caller then gets it as sent.
  if (length !== null && (encoding === null || encoding === 'identity')) out.push(['content-length', length]);
  return out;
}

/** The caller's `anthropic-beta` values, in order. */
export function betasOf(headers: Headers): string[] {
  return (headers.get('anthropic-beta') ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/**
 * Betas for Bedrock and Vertex: the Files API betas are consumed by Cabinet (the files were
 * inlined) and unknown to those providers, which refuse betas they do not know.
 */
export function providerBetas(betas: readonly string[]): string[] {
  return betas.filter((b) => !b.startsWith('files-api-'));
}

/** Converts Node's header object (lower-case names; arrays for repeated headers) to web Headers. */
export function toHeaders(incoming: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * Relays an upstream response to the caller as it arrives: status, headers (gateway/headers.ts)
 * and body, chunk by chunk, reading the next chunk only when the caller's socket has taken the
 * last (backpressure). A caller that goes away cancels the upstream body. Which request id the
 * caller gets is the upstream's, when it sent one (docs/gateway.md, "Request ids").
 */
import type { ServerResponse } from 'node:http';
import { relayedResponseHeaders } from '../../../gateway/headers.js';
import type { UpstreamReply } from '../../../gateway/gateway-service.js';
import { addLogFields } from '../../log-fields.js';
import { drained } from '../../../drained.js';

/** Cabinet's own request id, when `request-id` carries the upstream's. */
export const CABINET_REQUEST_ID = 'cabinet-request-id';

export async function relay(res: ServerResponse, reply: UpstreamReply, requestId: string): Promise<void> {
  const { response } = reply;
  const upstreamRequestId = response.headers.get('request-id');
  addLogFields(res, {
    upstream: { status: response.status, ms: Math.round(reply.latencyMs * 100) / 100, ...(upstreamRequestId ? { requestId: upstreamRequestId } : {}) },
  });
  for (const [name, value] of relayedResponseHeaders(response.headers)) res.setHeader(name, value);
  if (upstreamRequestId !== null) res.setHeader(CABINET_REQUEST_ID, requestId);
  res.statusCode = response.status;
  if (!response.body) {
    res.end();
    return;
  }
  // A stream's status and headers go at once (its first event may be a while); other answers'
  // go with their first bytes, in one write.
  if (isEventStream(response)) res.flushHeaders();
  const reader = response.body.getReader();
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.once('close', cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch (err) {
    // The upstream broke off mid-body. A stream can still say so in its own terms (the SDKs
    // raise an `error` event); any other body is cut, so it cannot pass for complete.
    if (!res.destroyed && isEventStream(response)) {
      const error = { type: 'error', error: { type: 'api_error', message: 'The upstream connection broke off mid-stream.' } };
      res.end(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
    } else {
      res.destroy(err instanceof Error ? err : undefined);
    }
  } finally {
    res.off('close', cancel);
  }
}

function isEventStream(response: Response): boolean {
  return response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
}

/**
 * The fallback route (anthropic upstream): any request Cabinet does not serve — `/v1/models`,
 * `/v1/messages/batches`, … — forwarded unchanged, body streamed both ways, with Cabinet's
 * upstream key instead of the caller's.
 */
import { toHeaders } from '../../../gateway/headers.js';
import type { AuthedContext } from '../../route.js';
import { callerSignal } from './caller-signal.js';
import { relay } from './relay.js';

export async function forwardToUpstream({ req, res, services, requestId }: AuthedContext): Promise<void> {
  const gateway = services.gateway;
  if (!gateway) throw new Error('pass-through served without a gateway');
  const method = req.method ?? 'GET';
  const signal = callerSignal(res);
  try {
    const reply = await gateway.forward({
      method,
      target: requestTarget(req.url ?? '/'),
      headers: toHeaders(req.headers),
      body: method === 'GET' || method === 'HEAD' ? undefined : req,
      signal,
    });
    await relay(res, reply, requestId);
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}

/** Path and query of the request target (an absolute-form target, RFC 9112 §3.2.2, loses its origin). */
function requestTarget(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

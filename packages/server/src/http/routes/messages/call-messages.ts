/**
 * The two Messages routes' common handling: read the caller's JSON, hand it to the gateway with
 * the caller's workspace, relay the upstream's answer.
 */
import type { MessagesOperation } from '../../../gateway/upstream.js';
import { toHeaders } from '../../../gateway/headers.js';
import type { AuthedContext } from '../../route.js';
import { readJson } from './read-json.js';
import { relay } from './relay.js';

export async function callMessages(ctx: AuthedContext, op: MessagesOperation): Promise<void> {
  const { req, res, services, principal, requestId } = ctx;
  const gateway = services.gateway;
  if (!gateway) throw new Error('Messages route served without a gateway');
  const request = await readJson(req, gateway.maxRequestBytes);
  // The handler aborts the POST's signal when the caller leaves.
  const signal = ctx.signal;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  try {
    const reply = await gateway.messages({
      workspaceId: principal.workspaceId,
      op,
      request,
      headers: toHeaders(req.headers),
      search: query === -1 ? '' : url.slice(query),
      requestId,
      signal,
    });
    await relay(res, reply, requestId);
  } catch (err) {
    if (signal.aborted) return; // the caller left: there is no one to answer
    throw err;
  }
}

/** Who is acting, for the log line of every Admin API change. */
import type { Actor } from '../../../admin/admin-service.js';
import type { AuthedContext } from '../../route.js';

export function actorOf(ctx: AuthedContext): Actor {
  return { keyId: ctx.principal.keyId, requestId: ctx.requestId };
}

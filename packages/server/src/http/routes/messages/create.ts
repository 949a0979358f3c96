/** `POST /v1/messages` (and `?beta=true`): a Messages request with Cabinet's files resolved, forwarded upstream. */
import type { AuthedContext } from '../../route.js';
import { callMessages } from './call-messages.js';

export function createMessage(ctx: AuthedContext): Promise<void> {
  return callMessages(ctx, 'messages');
}

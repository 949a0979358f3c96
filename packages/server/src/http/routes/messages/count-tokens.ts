/** `POST /v1/messages/count_tokens`: the count for a request with Cabinet's files resolved. */
import type { AuthedContext } from '../../route.js';
import { callMessages } from './call-messages.js';

export function countTokens(ctx: AuthedContext): Promise<void> {
  return callMessages(ctx, 'count_tokens');
}

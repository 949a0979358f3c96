/**
 * When the gateway's routes are served (route.ts `unavailable`): the Messages routes whenever an
 * upstream is configured, the pass-through of other routes only for the anthropic upstream. The
 * 404 of an unserved route names the setting that would serve it.
 */
import type { Services } from '../../services.js';

export function withoutGateway(services: Services): string | undefined {
  return services.gateway
    ? undefined
    : 'no Messages gateway is configured; set CABINET_UPSTREAM to anthropic, bedrock, vertex or mock (README, "Use your files with Claude").';
}

export function withoutPassThrough(services: Services): string | undefined {
  const gateway = services.gateway;
  if (!gateway) return 'Cabinet serves the Files API here; set CABINET_UPSTREAM=anthropic to forward the rest of the Anthropic API.';
  if (gateway.forwardsOtherRoutes) return undefined;
  return `the ${gateway.upstreamName} upstream has no such route; through Cabinet it serves POST /v1/messages and POST /v1/messages/count_tokens.`;
}

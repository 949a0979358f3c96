/** `GET /healthz` (the process answers) and `GET /readyz` (its stores answer too). No key needed. */
import type { RequestContext } from '../route.js';
import { sendJson } from '../respond.js';

export async function liveness({ res }: RequestContext): Promise<void> {
  sendJson(res, 200, { status: 'ok' });
}

export async function readiness({ res, services }: RequestContext): Promise<void> {
  try {
    await services.checkReady();
    sendJson(res, 200, { status: 'ready' });
  } catch (err) {
    services.logger.warn({ err }, 'readiness check failed');
    sendJson(res, 503, { status: 'unavailable' });
  }
}

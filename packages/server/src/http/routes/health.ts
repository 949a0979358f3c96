/**
 * `GET /healthz` (the process answers) and `GET /readyz` (its stores answer too: the metadata
 * database, and the blob store would take a write; 503 says which failed). No key needed.
 */
import type { RequestContext } from '../route.js';
import { sendJson } from '../respond.js';

export async function liveness({ res }: RequestContext): Promise<void> {
  sendJson(res, 200, { status: 'ok' });
}

export async function readiness({ res, services }: RequestContext): Promise<void> {
  const checks = await services.checkReady();
  const ready = checks.metadata.status === 'ok' && checks.blobs.status === 'ok';
  // Probes poll: never cache the answer.
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks }, { 'cache-control': 'no-store' });
}

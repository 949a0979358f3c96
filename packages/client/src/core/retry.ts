/**
 * When to retry and how long to wait: the official SDKs' rules (docs/wire.md §9), so a Cabinet client and
 * an Anthropic client behave alike against the same server.
 */

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

/** Whether a response with this status and headers may be retried. */
export function shouldRetry(status: number, headers: Headers): boolean {
  // The server's explicit word wins over the status (`x-should-retry`).
  const explicit = headers.get('x-should-retry');
  if (explicit === 'true') return true;
  if (explicit === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait before attempt `retriesSoFar + 1`: the server's `retry-after-ms`, else
 * `retry-after` (seconds or an HTTP date), when between 0 and 60 s; else exponential backoff
 * min(0.5 s · 2^n, 8 s) with up to 25 % jitter taken off.
 */
export function retryDelayMs(retriesSoFar: number, headers: Headers | undefined, random: () => number = Math.random): number {
  const fromServer = serverDelayMs(headers);
  if (fromServer !== undefined && fromServer >= 0 && fromServer <= 60_000) return fromServer;
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retriesSoFar, MAX_DELAY_MS);
  return base * (1 - 0.25 * random());
}

function serverDelayMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  if (Number.isFinite(Number(after))) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

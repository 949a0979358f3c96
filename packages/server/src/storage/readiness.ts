/**
 * Readiness of the stores (`GET /readyz`): the metadata database answers a query, and the blob
 * store would take a write (each backend's `ping`). Both are checked at once, each within a
 * deadline, so a store that hangs reads as failed instead of holding the probe.
 */
import type { BlobStore } from './blob-store.js';
import type { MetadataBackend } from './metadata-backend.js';

export interface StoreCheck {
  status: 'ok' | 'failed';
  /** The backend's name (`sqlite`, `postgres`, `tiered`, `s3`, …). */
  backend: string;
  ms: number;
  /** A short reason (the full error goes to the log). */
  error?: string;
}

export interface Readiness {
  metadata: StoreCheck;
  blobs: StoreCheck;
}

/** Kubernetes' default probe timeout is 1 s; a little more is allowed, then the store counts as failed. */
export const READINESS_TIMEOUT_MS = 2000;

export async function checkStores(
  stores: { metadata: MetadataBackend; blobs: BlobStore },
  onFailure: (store: 'metadata' | 'blobs', err: unknown) => void,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const [metadata, blobs] = await Promise.all([
    check(stores.metadata.name, () => stores.metadata.ping(), timeoutMs, (err) => onFailure('metadata', err)),
    check(stores.blobs.name, () => stores.blobs.ping(), timeoutMs, (err) => onFailure('blobs', err)),
  ]);
  return { metadata, blobs };
}

async function check(backend: string, ping: () => Promise<void>, timeoutMs: number, onFailure: (err: unknown) => void): Promise<StoreCheck> {
  const started = process.hrtime.bigint();
  const ms = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ReadinessTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
    return { status: 'ok', backend, ms: ms() };
  } catch (err) {
    onFailure(err);
    return { status: 'failed', backend, ms: ms(), error: reasonOf(err) };
  } finally {
    clearTimeout(timer);
  }
}

class ReadinessTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * What /readyz says about a failure: a timeout, or the error's code (`ECONNREFUSED`, `ENOSPC`,
 * `EROFS`, an S3 error name). Messages stay in the log: /readyz needs no key, and driver messages
 * can name hosts and users.
 */
function reasonOf(err: unknown): string {
  if (err instanceof ReadinessTimeout) return err.message;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  const name = (err as { name?: unknown }).name;
  if (typeof name === 'string' && /^[A-Za-z]{2,60}$/.test(name) && name !== 'Error') return name;
  return 'unavailable';
}

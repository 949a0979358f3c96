/** What the HTTP layer calls into: the services the composition root (app.ts) built. */
import type { Logger as PinoLogger } from 'pino';
import type { AdminService } from '../admin/admin-service.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { DownloadOffload } from '../downloads/download-offload.js';
import type { FileService } from '../files/file-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Readiness } from '../storage/readiness.js';
import type { UploadService } from '../uploads/upload-service.js';
import type { BodyDeadline } from './body-deadline.js';
import type { Gateway } from '../gateway/gateway-service.js';

export interface Services {
  files: FileService;
  /** Workspaces and API keys, for the Admin API. */
  admin: AdminService;
  uploads: UploadService;
  /** Who sends download bytes instead of Cabinet (docs/front-proxy.md); absent: Cabinet. */
  downloadOffload?: DownloadOffload | undefined;
  /** The Messages gateway; absent when no upstream is configured (its routes answer 404). */
  gateway?: Gateway | undefined;
  authenticator: Authenticator;
  logger: PinoLogger;
  /** Each store's readiness (for /readyz). */
  checkReady(): Promise<Readiness>;
  /** Absent: no metrics are kept (and `/metrics` answers 404). */
  metrics?: Metrics | undefined;
  /** Who may read `/metrics` (CABINET_METRICS_ACCESS). */
  metricsAccess?: 'loopback' | 'admin' | 'open' | 'off';
  /** Absent: no rate limit. */
  rateLimiter?: RateLimiter | undefined;
  /** How fast request bodies must arrive (http/body-deadline.ts); absent: no deadline. */
  bodyDeadline?: BodyDeadline | undefined;
}

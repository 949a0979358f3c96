/** What the HTTP layer calls into: the services the composition root (app.ts) built. */
import type { Logger as PinoLogger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { FileService } from '../files/file-service.js';
import type { UploadService } from '../uploads/upload-service.js';
import type { BodyDeadline } from './body-deadline.js';
import type { Gateway } from '../gateway/gateway-service.js';

export interface Services {
  files: FileService;
  uploads: UploadService;
  /** The Messages gateway; absent when no upstream is configured (its routes answer 404). */
  gateway?: Gateway | undefined;
  authenticator: Authenticator;
  logger: PinoLogger;
  /** Resolves when the stores answer; rejects otherwise (for /readyz). */
  checkReady(): Promise<void>;
  /** Absent: no rate limit. */
  rateLimiter?: RateLimiter | undefined;
  /** How fast request bodies must arrive (http/body-deadline.ts); absent: no deadline. */
  bodyDeadline?: BodyDeadline | undefined;
}

/**
 * Composition root: config + stores → FileService → HTTP handler. Injectable and testable in
 * process; it never reads `process.env`, listens on a port or installs signal handlers (main.ts does).
 */
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import { AdminService } from './admin/admin-service.js';
import { createApiKey, DEFAULT_WORKSPACE } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { RateLimiter } from './auth/rate-limiter.js';
import type { Config } from './config.js';
import { FileService } from './files/file-service.js';
import type { FileIdGenerator } from './files/file-id.js';
import { createRequestHandler } from './http/handler.js';
import { instrumentJobs } from './metrics/jobs.js';
import { Metrics } from './metrics/metrics.js';
import { checkStores } from './storage/readiness.js';
import type { RequestListener } from './http/handler.js';
import type { Stores } from './storage/create-stores.js';
import { createStores } from './storage/create-stores.js';

export interface AppOptions {
  config: Config;
  /** Stores to use instead of the ones `config` names (tests inject memory or fault-injecting stores). */
  stores?: Stores;
  logger?: PinoLogger;
  clock?: () => number;
  ids?: FileIdGenerator;
}

export interface App {
  readonly config: Config;
  readonly stores: Stores;
  readonly service: FileService;
  readonly logger: PinoLogger;
  readonly handler: RequestListener;
  /** The Prometheus metrics; absent when CABINET_METRICS_ACCESS=off and no metrics listener is set. */
  readonly metrics: Metrics | undefined;
  /**
   * Opens the stores, sweeps what a crash left behind and starts the expiry reaper. With no key
   * configured or stored, creates one and returns its secret (to be shown once).
   */
  start(): Promise<{ firstApiKey?: string }>;
  close(): Promise<void>;
}

/** Builds the app; the stores the configuration names are loaded (not yet opened: see `start`). */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel, base: null });
  const stores = options.stores ?? (await createStores(config));
  const clock = options.clock ?? Date.now;
  const service = new FileService({
    blobs: stores.blobs,
    metadata: stores.metadata.files,
    maxFileBytes: config.maxFileBytes,
    quotaBytes: config.quotaBytes,
    clock,
    logger,
    ...(options.ids ? { ids: options.ids } : {}),
  });
  const authenticator = new Authenticator(stores.metadata.apiKeys, { staticKeys: config.apiKeys, adminKeys: config.adminKeys });
  const metrics =
    config.metricsAccess === 'off' && config.metricsListen === ''
      ? undefined
      : new Metrics({
          quota: { workspaces: stores.metadata.workspaces, quotaBytes: config.quotaBytes, top: config.metricsTopWorkspaces },
          onCollectError: (err) => logger.warn({ err }, 'metrics: could not read quota usage'),
        });
  if (metrics) {
    stores.metadata.observe?.(metrics);
    stores.blobs.observe?.(metrics);
  }
  const jobs = metrics ? instrumentJobs(stores.metadata.jobs, metrics) : stores.metadata.jobs;
  const admin = new AdminService({
    apiKeys: stores.metadata.apiKeys,
    workspaces: stores.metadata.workspaces,
    files: stores.metadata.files,
    quotaBytes: config.quotaBytes,
    clock,
    logger,
  });
  const handler = createRequestHandler({
    files: service,
    admin,
    authenticator,
    logger,
    checkReady: () => checkStores(stores, (store, err) => logger.warn({ err, store }, 'readiness check failed')),
    metrics,
    metricsAccess: config.metricsAccess,
    rateLimiter: config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute, clock) : undefined,
    bodyDeadline: config.bodyTimeoutMs > 0 ? { timeoutMs: config.bodyTimeoutMs, minBytesPerSecond: config.bodyMinBytesPerSecond } : undefined,
  });
  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, job: string, fn: () => Promise<unknown>): void => {
    const timer = setInterval(() => {
      jobs.run(job, fn).catch((err: unknown) => logger.error({ err, job }, 'background job failed'));
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };
  const sweepGraceMs = config.orphanGraceSeconds * 1000;

  return {
    config,
    stores,
    service,
    logger,
    handler,
    metrics,
    async start() {
      await stores.metadata.init();
      await stores.blobs.init();
      // With shared stores, instances starting together take turns: one sweeps, the others skip.
      const swept = await jobs.run('sweep', () => service.sweepLeftovers(stores.exclusive ? 0 : sweepGraceMs));
      const reaped = await jobs.run('reap', () => service.reapExpired());
      logger.info(
        { blobs: stores.blobs.name, metadata: stores.metadata.name, swept: swept.ran ? swept.value : 'skipped', reaped: reaped.ran ? reaped.value : 'skipped' },
        'stores ready',
      );
      every(config.reapIntervalSeconds, 'reap', () => service.reapExpired());
      every(config.sweepIntervalSeconds, 'sweep', () => service.sweepLeftovers(sweepGraceMs));
      const firstKey = await stores.metadata.jobs.run('first-run-key', async () => {
        // The workspace keys without one act on always exists, even before it holds anything.
        await stores.metadata.workspaces.createWorkspace(DEFAULT_WORKSPACE, clock());
        if (config.apiKeys.length > 0 || config.adminKeys.length > 0 || (await stores.metadata.apiKeys.countActiveApiKeys()) > 0) return undefined;
        return (await createApiKey(stores.metadata.apiKeys, { name: 'first-run', nowMs: clock() })).secret;
      });
      return firstKey.ran && firstKey.value !== undefined ? { firstApiKey: firstKey.value } : {};
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      await stores.blobs.close();
      await stores.metadata.close();
    },
  };
}

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
import { createDownloadOffload } from './downloads/download-offload.js';
import { FileService } from './files/file-service.js';
import type { FileIdGenerator } from './files/file-id.js';
import { createGateway } from './gateway/create-gateway.js';
import type { GatewayDependencies } from './gateway/create-gateway.js';
import type { Gateway } from './gateway/gateway-service.js';
import { createRequestHandler } from './http/handler.js';
import { instrumentJobs } from './metrics/jobs.js';
import { Metrics } from './metrics/metrics.js';
import { checkStores } from './storage/readiness.js';
import { OpenAIBatchValidator } from './openai/batch-input.js';
import { UploadService } from './uploads/upload-service.js';
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
  /** Credentials for the Messages gateway's upstream instead of the standard chains (tests). */
  upstreamCredentials?: Pick<GatewayDependencies, 'awsCredentials' | 'googleAuthClient'>;
}

export interface FirstRunKey {
  /** The key this start created, when no key was configured or stored. */
  secret?: string;
  /** Active keys in the store (the new one included). */
  storedKeys: number;
}

export interface App {
  readonly config: Config;
  readonly stores: Stores;
  readonly service: FileService;
  readonly uploads: UploadService;
  /** The Messages gateway; absent when `CABINET_UPSTREAM` is unset. */
  readonly gateway: Gateway | undefined;
  readonly logger: PinoLogger;
  readonly handler: RequestListener;
  /** The Prometheus metrics; absent when CABINET_METRICS_ACCESS=off and no metrics listener is set. */
  readonly metrics: Metrics | undefined;
  /** Opens the stores, sweeps what a crash left behind and starts the expiry reaper. */
  start(): Promise<void>;
  /**
   * With no key configured or stored, creates one and returns its secret (to be shown once); also
   * counts the active stored keys. Called once the server listens (server.ts): a key made by a
   * start that then fails to listen would be stored but never shown.
   */
  firstRunKey(): Promise<FirstRunKey>;
  close(): Promise<void>;
}

/** Builds the app; the stores the configuration names are loaded (not yet opened: see `start`). */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel, base: null });
  const stores =
    options.stores ?? (await createStores(config, { onStoreError: (err, what) => logger.warn({ err }, what) }));
  const clock = options.clock ?? Date.now;
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
  let gateway: Gateway | undefined;
  const service = new FileService({
    blobs: stores.blobs,
    metadata: stores.metadata.files,
    maxFileBytes: config.maxFileBytes,
    quotaBytes: config.quotaBytes,
    clock,
    logger,
    uploads: stores.metadata.uploads,
    batchValidators: { openai: () => new OpenAIBatchValidator() },
    ...(options.ids ? { ids: options.ids } : {}),
    // A deleted or expired file's upstream copies go with it (mirroring, docs/gateway.md).
    onDeleted: async (record) => gateway?.fileDeleted(record),
  });
  const uploads = new UploadService({
    files: service,
    uploads: stores.metadata.uploads,
    blobs: stores.blobs,
    quotaBytes: config.quotaBytes,
    maxUploadBytes: config.maxUploadBytes,
    clock,
    logger,
  });
  gateway = await createGateway(config, {
    files: service,
    mirrors: stores.metadata.mirrors,
    logger,
    clock,
    ...options.upstreamCredentials,
    onUpstreamCall: metrics && ((upstream, status, seconds) => metrics.upstreamCalled(upstream, status, seconds)),
  });
  const authenticator = new Authenticator(stores.metadata.apiKeys, { staticKeys: config.apiKeys, adminKeys: config.adminKeys });
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
    uploads,
    downloadOffload: createDownloadOffload(config, stores.blobs),
    gateway,
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
    uploads,
    gateway,
    logger,
    handler,
    metrics,
    async start() {
      await stores.metadata.init();
      await stores.blobs.init();
      // The workspace keys without one act on always exists, even before it holds anything.
      await stores.metadata.workspaces.createWorkspace(DEFAULT_WORKSPACE, clock());
      // One process owns the stores: no completion can be in flight, so those a crash cut short
      // go back to pending (their clients may complete again).
      if (stores.exclusive) await uploads.resetCompletions();
      // With shared stores, instances starting together take turns: one sweeps, the others skip.
      const swept = await jobs.run('sweep', () => service.sweepLeftovers(stores.exclusive ? 0 : sweepGraceMs));
      const reap = async (): Promise<number> => (await service.reapExpired()) + (await uploads.reapExpired());
      const reaped = await jobs.run('reap', reap);
      logger.info(
        { blobs: stores.blobs.name, metadata: stores.metadata.name, swept: swept.ran ? swept.value : 'skipped', reaped: reaped.ran ? reaped.value : 'skipped' },
        'stores ready',
      );
      every(config.reapIntervalSeconds, 'reap', reap);
      every(config.sweepIntervalSeconds, 'sweep', () => service.sweepLeftovers(sweepGraceMs));
      const mirroring = config.upstreamFiles === 'mirror' ? gateway : undefined;
      if (mirroring) every(config.reapIntervalSeconds, 'mirror-sweep', () => mirroring.sweepMirrors());
    },
    async firstRunKey() {
      // Under the job lock: instances starting together on one database make one key, not several.
      const created = await stores.metadata.jobs.run('first-run-key', async () => {
        if (config.apiKeys.length > 0 || config.adminKeys.length > 0 || (await stores.metadata.apiKeys.countActiveApiKeys()) > 0) return undefined;
        return (await createApiKey(stores.metadata.apiKeys, { name: 'first-run', nowMs: clock() })).secret;
      });
      const storedKeys = await stores.metadata.apiKeys.countActiveApiKeys();
      return created.ran && created.value !== undefined ? { secret: created.value, storedKeys } : { storedKeys };
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      await stores.blobs.close();
      await stores.metadata.close();
    },
  };
}

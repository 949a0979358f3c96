/**
 * The server's Prometheus metrics (`GET /metrics`, docs/operations.md "Metrics"), on a registry
 * of its own (several servers in one process keep theirs apart): HTTP (http-metrics.ts), store
 * commits (the StoreObserver the stores call), background jobs, quota usage per workspace, the
 * Messages gateway's upstream calls, and Node's process metrics.
 *
 * Quota usage is read from the workspace store at scrape time, for the N largest workspaces (by
 * bytes used, `CABINET_METRICS_TOP_WORKSPACES`) with the rest summed under `workspace="other"`:
 * bounded cardinality, however many workspaces there are.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreObserver } from '../storage/store-observer.js';
import type { WorkspaceStore } from '../storage/workspace-store.js';
import { HttpMetrics } from './http-metrics.js';

/** Commit and flush times: a tenth of a millisecond (tmpfs, page cache) to a second (a sick disk). */
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Background jobs and upstream calls: milliseconds to minutes. */
const SLOW_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** What the Messages gateway reports for every call to its upstream. */
export interface UpstreamObserver {
  /** `status` is the upstream's HTTP status, or 0 when no answer came (connection failure, timeout). */
  upstreamCalled(upstream: string, status: number, seconds: number): void;
}

export interface QuotaSource {
  workspaces: WorkspaceStore;
  quotaBytes: number;
  /** How many workspaces get series of their own. */
  top: number;
}

export interface MetricsOptions {
  quota?: QuotaSource;
  /** Told when reading quota usage fails at scrape time (the rest of the metrics are still served). */
  onCollectError?: (err: unknown) => void;
}

export class Metrics implements StoreObserver, UpstreamObserver {
  readonly registry = new Registry();
  readonly http: HttpMetrics;
  private readonly walFlush: Histogram<'database'>;
  private readonly walCommits: Counter<'database'>;
  private readonly pgCommit: Histogram<'backend'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobDuration: Histogram<'job'>;
  private readonly reaped: Counter;
  private readonly swept: Counter<'kind'>;
  private readonly upstreamDuration: Histogram<'upstream'>;
  private readonly upstreamCalls: Counter<'upstream' | 'status'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new HttpMetrics(this.registry);
    this.walFlush = new Histogram({
      name: 'cabinet_sqlite_wal_flush_seconds',
      help: 'SQLite group commits: time to flush the WAL to stable storage, by database (`metadata`, `small_blobs`); its count is the number of flushes.',
      labelNames: ['database'],
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.walCommits = new Counter({
      name: 'cabinet_sqlite_commits_total',
      help: 'SQLite commits made durable by the group commits (divide by the flush count for commits per flush).',
      labelNames: ['database'],
      registers,
    });
    this.pgCommit = new Histogram({
      name: 'cabinet_postgres_commit_seconds',
      help: 'PostgreSQL transactions: time the COMMIT took (the server flushing its WAL); for single-statement writes (file inserts, reservations, deletes), the whole statement.',
      labelNames: ['backend'],
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.jobRuns = new Counter({
      name: 'cabinet_job_runs_total',
      help: 'Background job runs (`sweep`: orphans and unfinished uploads; `reap`: expired files), by outcome: `ran`, `skipped` (another instance held the job), `failed`.',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'cabinet_job_duration_seconds',
      help: 'How long background jobs ran on this instance.',
      labelNames: ['job'],
      buckets: SLOW_BUCKETS,
      registers,
    });
    this.reaped = new Counter({ name: 'cabinet_reaped_files_total', help: 'Expired files deleted by the reaper.', registers });
    this.swept = new Counter({
      name: 'cabinet_swept_total',
      help: 'Leftovers removed by the sweeper, by kind: `unfinished` (writes a crash cut short), `orphans` (bytes no record points at).',
      labelNames: ['kind'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'cabinet_upstream_request_duration_seconds',
      help: 'Messages gateway: time until the upstream answered (headers), by upstream.',
      labelNames: ['upstream'],
      buckets: SLOW_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'cabinet_upstream_requests_total',
      help: 'Messages gateway: calls to the upstream by upstream and HTTP status (0: no answer).',
      labelNames: ['upstream', 'status'],
      registers,
    });
    if (options.quota) this.quotaGauges(options.quota, options.onCollectError);
  }

  /** The text exposition format (`Content-Type`: `contentType`). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // --- StoreObserver ---

  walFlushed(database: string, seconds: number, commits: number): void {
    this.walFlush.observe({ database }, seconds);
    this.walCommits.inc({ database }, commits);
  }

  committed(backend: string, seconds: number): void {
    this.pgCommit.observe({ backend }, seconds);
  }

  // --- Background jobs ---

  /** A run of a background job: `ran` with its duration, `skipped`, or `failed`. */
  jobRan(job: string, outcome: 'ran' | 'skipped' | 'failed', seconds?: number): void {
    this.jobRuns.inc({ job, outcome });
    if (seconds !== undefined) this.jobDuration.observe({ job }, seconds);
  }

  filesReaped(n: number): void {
    this.reaped.inc(n);
  }

  leftoversSwept(kind: 'unfinished' | 'orphans', n: number): void {
    this.swept.inc({ kind }, n);
  }

  // --- UpstreamObserver ---

  upstreamCalled(upstream: string, status: number, seconds: number): void {
    this.upstreamCalls.inc({ upstream, status: String(status) });
    this.upstreamDuration.observe({ upstream }, seconds);
  }

  private quotaGauges(source: QuotaSource, onError: ((err: unknown) => void) | undefined): void {
    const registers = [this.registry];
    const help = `the ${source.top} largest workspaces by bytes used, the rest summed as workspace="other"`;
    // One read of the store serves the three gauges of a scrape: prom-client calls their `collect`
    // together, the first call starts the read and the others share it.
    let pending: Promise<void> | undefined;
    const refresh = (): Promise<void> =>
      (pending ??= read().finally(() => setImmediate(() => (pending = undefined))));
    const used = new Gauge({ name: 'cabinet_workspace_used_bytes', help: `Bytes of committed files: ${help}.`, labelNames: ['workspace'], registers, collect: refresh });
    const files = new Gauge({ name: 'cabinet_workspace_files', help: `Committed files: ${help}.`, labelNames: ['workspace'], registers, collect: refresh });
    const count = new Gauge({ name: 'cabinet_workspaces_with_files', help: 'Workspaces holding at least one file.', registers, collect: refresh });
    new Gauge({ name: 'cabinet_workspace_quota_bytes', help: 'The storage quota of each workspace (CABINET_QUOTA_BYTES).', registers }).set(source.quotaBytes);
    let failed = 0;
    new Counter({
      name: 'cabinet_metrics_collect_errors_total',
      help: 'Scrapes whose quota usage could not be read in time (the store did not answer); those series were left out.',
      registers,
      // Waits for this scrape's read, like the gauges, so its own failure is counted in it.
      async collect() {
        await refresh();
        this.reset();
        this.inc(failed);
      },
    });
    const read = async (): Promise<void> => {
      used.reset();
      files.reset();
      count.reset();
      try {
        const [largest, total] = await withTimeout(
          Promise.all([source.workspaces.largestWorkspaces(source.top), source.workspaces.totalUsage()]),
          QUOTA_READ_TIMEOUT_MS,
        );
        for (const w of largest) {
          used.set({ workspace: w.workspaceId }, w.usedBytes);
          files.set({ workspace: w.workspaceId }, w.fileCount);
        }
        if (total.workspaces > largest.length) {
          used.set({ workspace: 'other' }, total.usedBytes - largest.reduce((sum, w) => sum + w.usedBytes, 0));
          files.set({ workspace: 'other' }, total.fileCount - largest.reduce((sum, w) => sum + w.fileCount, 0));
        }
        count.set(total.workspaces);
      } catch (err) {
        failed++;
        onError?.(err);
      }
    };
  }
}

/** A scrape must answer even when the database does not (Prometheus' own timeout is 10 s by default). */
const QUOTA_READ_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

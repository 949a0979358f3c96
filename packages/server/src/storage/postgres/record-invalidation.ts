/**
 * A record cache for many instances on one PostgreSQL: each instance keeps the file records it read
 * (records never change after insert), and every delete, on whichever instance, reaches every
 * instance's cache as a notification (`LISTEN`/`NOTIFY`): the delete statement itself calls
 * `pg_notify`, so the notification is sent exactly when, and only if, the delete commits.
 *
 * What it guarantees (docs/deployment.md, "The record cache"):
 * - An instance serves a record from its cache only while its listening connection is known to
 *   work. When that connection fails, or a ping the instance sends itself through the pool does not
 *   come back within `pingIntervalMs`, the cache is emptied and bypassed until listening works again.
 *   So a lost notification cannot leave a deleted file visible for longer than about two ping
 *   intervals, even on a connection that died without a word.
 * - A read that raced a delete is never cached after the delete: every read takes a token (an epoch)
 *   before it queries, and its record is kept only if no invalidation arrived meanwhile.
 * - In the ordinary case a delete reaches the other instances as fast as PostgreSQL delivers a
 *   notification (well under a millisecond on one machine): until then they may still answer a
 *   metadata GET for the file. Its content is gone: FileService.open answers 404 for a record whose
 *   blob is gone and whose row is gone.
 *
 * The channel is database-wide; deployments in other schemas of the same database only cause a
 * needless eviction now and then (the payload is `<workspace>/<file id>`).
 */
import type pg from 'pg';
import { RecordCache } from '../record-cache.js';
import type { FileRecord } from '../records.js';

/** The channel deletes notify on; the payload is `<workspace>/<file id>` (file ids have no `/`). */
export const FILE_DELETED_CHANNEL = 'cabinet_file_deleted';

/** Pings are notifications on the same channel, sent by the instance to itself: `ping:<instance>:<n>`. */
const PING = 'ping:';

export interface InvalidatedRecordCacheOptions {
  capacity: number;
  /** A new, unconnected client for the listening connection (not one of the pool's). */
  newClient: () => pg.Client;
  /** Sends a notification through the pool (any connection). */
  notify: (payload: string) => Promise<void>;
  /** This instance, to recognise its own pings. */
  instanceId: string;
  /** How often the listening connection is checked (a ping must come back within one interval). */
  pingIntervalMs?: number;
  onError?: (err: unknown, what: string) => void;
}

export class InvalidatedRecordCache {
  private readonly records: RecordCache;
  /** Bumped by every invalidation; a read caches its record only if the epoch it started in is current. */
  private epoch = 0;
  private healthy = false;
  private listener: pg.Client | undefined;
  private closed = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingSent = 0;
  private pingAnswered = 0;
  private readonly pingIntervalMs: number;

  constructor(private readonly options: InvalidatedRecordCacheOptions) {
    this.records = new RecordCache(options.capacity);
    this.pingIntervalMs = options.pingIntervalMs ?? 2000;
  }

  /** Starts listening; resolves once the cache is in use (or rejects if PostgreSQL cannot be reached). */
  async start(): Promise<void> {
    if (this.options.capacity === 0) return;
    await this.listen();
    this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
    this.pingTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    this.markUnhealthy();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  get(workspaceId: string, id: string): FileRecord | undefined {
    return this.healthy ? this.records.get(workspaceId, id) : undefined;
  }

  /** Before a read whose record may be cached: the token to hand to `fill`, or undefined (do not cache). */
  startFill(): number | undefined {
    return this.healthy ? this.epoch : undefined;
  }

  /** Caches `record`, read after `startFill` returned `token`, unless an invalidation came since. */
  fill(token: number, record: FileRecord): void {
    if (this.healthy && token === this.epoch) this.records.set(record);
  }

  /** A delete made by this instance (its own notification follows). */
  delete(workspaceId: string, id: string): void {
    this.epoch++;
    this.records.delete(workspaceId, id);
  }

  /** Whether records are being served from the cache (tests, health). */
  get active(): boolean {
    return this.healthy;
  }

  // --- Internal helpers ---

  private async listen(): Promise<void> {
    const client = this.options.newClient();
    client.on('notification', (message: pg.Notification) => this.received(message.payload ?? ''));
    const lost = (err?: unknown): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.markUnhealthy();
      if (err !== undefined) this.options.onError?.(err, 'record cache: listening connection lost');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${FILE_DELETED_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // Whatever was deleted while nobody listened is unknown: start from an empty cache.
    this.records.clear();
    this.epoch++;
    this.pingAnswered = this.pingSent;
    this.healthy = true;
  }

  private scheduleReconnect(delayMs = 500): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch((err: unknown) => {
        this.options.onError?.(err, 'record cache: cannot listen; records are read from PostgreSQL meanwhile');
        this.scheduleReconnect(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private received(payload: string): void {
    if (payload.startsWith(PING)) {
      const [instance, n] = payload.slice(PING.length).split(':');
      if (instance === this.options.instanceId) this.pingAnswered = Math.max(this.pingAnswered, Number(n));
      return;
    }
    const slash = payload.lastIndexOf('/');
    this.epoch++;
    this.records.delete(payload.slice(0, slash), payload.slice(slash + 1));
  }

  /** Checks the previous ping came back, and sends the next. */
  private ping(): void {
    if (!this.listener) return;
    if (this.pingAnswered < this.pingSent) {
      // The listening connection is silent: it may be dead without having said so.
      const client = this.listener;
      this.listener = undefined;
      this.markUnhealthy();
      this.options.onError?.(new Error('no notification within the ping interval'), 'record cache: listening connection unresponsive');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    const n = ++this.pingSent;
    this.options.notify(`${PING}${this.options.instanceId}:${n}`).catch(() => undefined);
  }

  private markUnhealthy(): void {
    this.healthy = false;
    this.epoch++;
    this.records.clear();
  }
}

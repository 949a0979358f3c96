/**
 * What the stores report about their commits, for the metrics (`metrics/`): a small interface the
 * storage layer calls, so storage knows nothing of Prometheus. A backend that has something to
 * report takes an observer through its optional `observe()`; the composition root (app.ts) hands
 * it over.
 */
export interface StoreObserver {
  /**
   * A SQLite database's WAL reached stable storage (one group commit): how long the flush took,
   * and how many commits waiting for durability it answered. `database` is `metadata` or `small_blobs`.
   */
  walFlushed(database: string, seconds: number, commits: number): void;
  /** A PostgreSQL transaction committed: how long the `COMMIT` took (the server's WAL flush). */
  committed(backend: string, seconds: number): void;
}

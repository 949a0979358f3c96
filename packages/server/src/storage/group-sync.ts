/**
 * Group commit for fsync: many writers, few flushes.
 *
 * A writer that needs its bytes durable calls `sync()` after its write. If no flush is running, one
 * starts. If one is running, it may have started before this writer's write, so the writer waits
 * for the *next* flush, which every writer arriving meanwhile shares. Under load N concurrent
 * commits cost about two flushes instead of N, and no caller is answered before a flush that began
 * after its own write has finished. (The same scheme as PostgreSQL's WAL group commit and
 * SQLite's advice for `synchronous = NORMAL` plus an explicit sync.)
 */

/** Told after each successful flush: how long it took and how many `sync()` callers it answered. */
export type FlushListener = (seconds: number, writers: number) => void;

export class GroupSync {
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** Callers waiting for `next`. */
  private nextWriters = 0;

  constructor(
    private readonly flush: () => Promise<void>,
    private readonly onFlush?: FlushListener,
  ) {}

  sync(): Promise<void> {
    const running = this.inFlight;
    if (!running) return this.start(1);
    this.nextWriters++;
    this.next ??= running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<void> {
    const writers = this.nextWriters;
    this.next = undefined;
    this.nextWriters = 0;
    return this.start(writers);
  }

  private start(writers: number): Promise<void> {
    const started = this.onFlush ? process.hrtime.bigint() : 0n;
    const flushing = this.flush()
      .then(() => {
        if (this.onFlush) this.onFlush(Number(process.hrtime.bigint() - started) / 1e9, writers);
      })
      .finally(() => {
        if (this.inFlight === flushing) this.inFlight = undefined;
      });
    this.inFlight = flushing;
    return flushing;
  }
}

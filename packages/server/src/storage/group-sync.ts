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
export class GroupSync {
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  sync(): Promise<void> {
    const running = this.inFlight;
    if (!running) return this.start();
    this.next ??= running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<void> {
    const flushing = this.flush().finally(() => {
      if (this.inFlight === flushing) this.inFlight = undefined;
    });
    this.inFlight = flushing;
    return flushing;
  }
}

/**
 * Exclusive background jobs (orphan sweep, expiry reaper). With many instances on one metadata
 * store, only one may run a given job at a time; the others skip their turn rather than wait.
 */
export type JobOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * The single-process implementation, for stores owned by one process (memory, SQLite): a job
 * name is taken while its function runs.
 */
export class InProcessJobLock {
  private readonly running = new Set<string>();

  async run<T>(job: string, fn: () => Promise<T>): Promise<JobOutcome<T>> {
    if (this.running.has(job)) return { ran: false };
    this.running.add(job);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.running.delete(job);
    }
  }
}

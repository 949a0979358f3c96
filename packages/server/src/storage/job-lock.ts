/**
 * The job lock contract, for exclusive background jobs (orphan sweep, expiry reaper, first-run
 * key). With many instances on one metadata database, only one may run a given job at a time; the
 * others skip their turn rather than wait. Every implementation passes `testing/job-lock-suite.ts`.
 */
export type JobOutcome<T> = { ran: true; value: T } | { ran: false };

export interface JobLock {
  /**
   * Runs `fn` unless the job named `job` is already running, in this process or in any other
   * process sharing the lock; then it returns `{ ran: false }` at once without running `fn`.
   * The lock is released when `fn` settles, whether it resolves or rejects (its error is rethrown).
   */
  run<T>(job: string, fn: () => Promise<T>): Promise<JobOutcome<T>>;
}

/**
 * The single-process implementation, for stores owned by one process (memory, SQLite under its
 * directory lock): a job name is taken while its function runs.
 */
export class InProcessJobLock implements JobLock {
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

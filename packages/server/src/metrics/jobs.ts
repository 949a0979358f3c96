/**
 * Background jobs in the metrics: a JobLock that reports each run (ran, skipped because another
 * instance holds the job, failed), how long it ran, and what the sweeper and the reaper removed
 * (read from the values they return: the reaper's count of files, the sweeper's `{unfinished,
 * orphans}`).
 */
import type { JobLock, JobOutcome } from '../storage/job-lock.js';
import type { Metrics } from './metrics.js';

export function instrumentJobs(lock: JobLock, metrics: Metrics): JobLock {
  return {
    async run<T>(job: string, fn: () => Promise<T>): Promise<JobOutcome<T>> {
      const started = process.hrtime.bigint();
      let outcome: JobOutcome<T>;
      try {
        outcome = await lock.run(job, fn);
      } catch (err) {
        metrics.jobRan(job, 'failed', Number(process.hrtime.bigint() - started) / 1e9);
        throw err;
      }
      if (!outcome.ran) {
        metrics.jobRan(job, 'skipped');
        return outcome;
      }
      metrics.jobRan(job, 'ran', Number(process.hrtime.bigint() - started) / 1e9);
      const value: unknown = outcome.value;
      if (job === 'reap' && typeof value === 'number') metrics.filesReaped(value);
      if (job === 'sweep' && typeof value === 'object' && value !== null) {
        const { unfinished, orphans } = value as { unfinished?: unknown; orphans?: unknown };
        if (typeof unfinished === 'number') metrics.leftoversSwept('unfinished', unfinished);
        if (typeof orphans === 'number') metrics.leftoversSwept('orphans', orphans);
      }
      return outcome;
    },
  };
}

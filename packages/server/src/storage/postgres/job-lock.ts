/**
 * Exclusive jobs across instances: `pg_try_advisory_lock`, held by one connection while the job
 * runs and released by PostgreSQL if that connection dies, so a crashed instance never holds a job.
 */
import type { JobLock, JobOutcome } from '../job-lock.js';
import { LOCK_KEY_SQL, LOCK_NAMESPACE } from './database.js';
import type { PostgresDatabase } from './database.js';

export class PostgresJobLock implements JobLock {
  constructor(private readonly pg: PostgresDatabase) {}

  async run<T>(job: string, fn: () => Promise<T>): Promise<JobOutcome<T>> {
    const client = await this.pg.db().connect();
    try {
      const got = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, ${LOCK_KEY_SQL}) AS locked`, [
        LOCK_NAMESPACE,
        job,
      ]);
      if (got.rows[0]?.locked !== true) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1, ${LOCK_KEY_SQL})`, [LOCK_NAMESPACE, job]);
      }
    } finally {
      client.release();
    }
  }
}

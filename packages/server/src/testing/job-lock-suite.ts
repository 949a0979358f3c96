/**
 * The job lock conformance suite. Every JobLock implementation calls `testJobLock` from its own
 * test file. Job names are unique per run, so it also runs against a shared database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { JobLock } from '../storage/job-lock.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface JobLockSuiteOptions {
  name: string;
  open: OpenFixture<JobLock>;
}

export function testJobLock(options: JobLockSuiteOptions): void {
  describe(`job lock conformance: ${options.name}`, () => {
    const s = withFixture(options.open);

    it('runs a background job exclusively: a second caller skips while the first runs', async () => {
      const job = `job-${randomUUID()}`;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = s().run(job, async () => {
        await gate;
        return 'first';
      });
      // Give the first call time to take the lock (a database round trip for shared stores).
      await new Promise((resolve) => setTimeout(resolve, 100));
      let secondRan = false;
      const second = await s().run(job, async () => {
        secondRan = true;
      });
      assert.deepEqual(second, { ran: false });
      assert.equal(secondRan, false);
      assert.deepEqual(await s().run(`other-${job}`, async () => 7), { ran: true, value: 7 }, 'other jobs are not blocked');
      release();
      assert.deepEqual(await first, { ran: true, value: 'first' });
      assert.deepEqual(await s().run(job, async () => 'again'), { ran: true, value: 'again' }, 'the lock is released after the job');
      await assert.rejects(s().run(job, async () => Promise.reject(new Error('job failed'))), /job failed/);
      assert.deepEqual(await s().run(job, async () => 1), { ran: true, value: 1 }, 'released after a failure too');
    });

  });
}

/**
 * `GET /metrics` scraped and parsed (parse-prometheus-text-format) while traffic runs: the
 * counters, histograms and gauges move by exactly what was sent, the store's commit metrics move
 * with uploads, and label values stay within the route table. Run on each backend by
 * metrics.test.ts and metrics.postgres-s3.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileObject } from '@cabinet/client/wire';
import type { BackendName } from '@cabinet/test-support';
import { ROUTES } from '../../src/http/routes.js';
import { histogramCount, scrape } from '../helpers/prometheus.js';
import type { Scrape } from '../helpers/prometheus.js';
import { serverStarter, upload } from '../helpers/test-server.js';

export function metricsTrafficTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);

  describe(`metrics move with traffic (${backend})`, () => {
    it('counts requests by operation and status, their latency and bytes, commits, and usage', async () => {
      const server = await startTestServer();
      const metrics = (): Promise<Scrape> => scrape(`${server.url}/metrics`);
      const registry = server.app.metrics?.registry;
      assert.ok(registry);
      const histograms = async (): Promise<number[]> =>
        Promise.all([
          histogramCount(registry, 'cabinet_http_request_duration_seconds', { operation: 'files.retrieve' }),
          histogramCount(registry, 'cabinet_sqlite_wal_flush_seconds', { database: 'metadata' }),
          histogramCount(registry, 'cabinet_postgres_commit_seconds', { backend: 'postgres' }),
        ]);
      const before = await metrics();
      const [retrievesBefore = 0, flushesBefore = 0, pgCommitsBefore = 0] = await histograms();
      const delta = (after: Scrape, name: string, labels: Record<string, string> = {}): number =>
        (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);

      const content = 'x'.repeat(100_000);
      const file = (await (await upload(server, content)).json()) as FileObject;
      for (let i = 0; i < 5; i++) assert.equal((await server.request(`/v1/files/${file.id}`)).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await server.request('/v1/files/file_nothing')).status, 404);
      for (let i = 0; i < 3; i++) assert.equal((await server.request(`/nowhere/${i}`)).status, 404);
      const downloaded = await (await server.request(`/v1/files/${file.id}/content`)).arrayBuffer();
      assert.equal(downloaded.byteLength, content.length);
      const after = await metrics();
      const [retrievesAfter = 0, flushesAfter = 0, pgCommitsAfter = 0] = await histograms();

      assert.equal(delta(after, 'cabinet_http_requests_total', { operation: 'files.upload', status: '200' }), 1);
      assert.equal(delta(after, 'cabinet_http_requests_total', { operation: 'files.retrieve', status: '200' }), 5);
      assert.equal(delta(after, 'cabinet_http_requests_total', { operation: 'files.retrieve', status: '404' }), 2);
      assert.equal(delta(after, 'cabinet_http_requests_total', { operation: 'none', status: '404' }), 3, 'unrouted requests share one label value');
      assert.equal(retrievesAfter - retrievesBefore, 7, 'the latency histogram counted every retrieve');
      assert.ok(delta(after, 'cabinet_http_request_bytes_total', { operation: 'files.upload' }) > content.length, 'the upload body counts as bytes in');
      assert.ok(delta(after, 'cabinet_http_response_bytes_total', { operation: 'files.download' }) > content.length, 'the download counts as bytes out');
      assert.ok(delta(after, 'cabinet_http_response_bytes_total', { operation: 'files.retrieve' }) > 5 * 200);
      assert.equal(after.value('cabinet_uploads_in_flight'), 0);
      if (backend === 'embedded') {
        // A 100 kB file goes to disk and its record to cabinet.db: at least one group commit.
        assert.ok(flushesAfter - flushesBefore >= 1);
        assert.ok(delta(after, 'cabinet_sqlite_commits_total', { database: 'metadata' }) >= 1);
      } else {
        assert.ok(pgCommitsAfter - pgCommitsBefore >= 1, 'the insert transaction committed');
      }
      assert.equal(after.value('cabinet_workspace_used_bytes', { workspace: 'default' }), content.length);
      assert.equal(after.value('cabinet_workspace_files', { workspace: 'default' }), 1);
      assert.equal(after.value('cabinet_workspace_quota_bytes'), server.app.config.quotaBytes);
      assert.equal(after.value('cabinet_job_runs_total', { job: 'sweep', outcome: 'ran' }), 1, 'the start-up sweep');
      assert.ok(after.names.has('cabinet_http_request_duration_seconds'), 'the histogram is in the exposition');
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
        assert.ok(after.names.has(name), `process metric ${name}`);
      }
      // Bounded: operation labels come from the route table (and `none`), statuses are HTTP's.
      const operations = new Set([...ROUTES.map((r) => r.operationId), 'none']);
      for (const labels of after.series('cabinet_http_requests_total')) {
        assert.ok(operations.has(labels['operation'] ?? ''), JSON.stringify(labels));
        assert.match(labels['status'] ?? '', /^[1-5]\d\d$/);
      }
    });
  });
}

/**
 * `/metrics` on the embedded store: the traffic suite (metrics.suite.ts), and what depends on the
 * configuration — access, the separate listener, quota series for the largest workspaces with the
 * rest as `other`, background jobs, uploads in flight, and a store that fails at scrape time.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { isLoopback } from '../../src/http/routes/operator/metrics.js';
import { MemoryBlobStore, MemoryMetadataBackend } from '../../src/storage/memory/index.js';
import { histogramCount, scrape } from '../helpers/prometheus.js';
import { capturingLogger, expectError, startTestServer, TEST_KEY, upload } from '../helpers/test-server.js';
import { metricsTrafficTests } from './metrics.suite.js';

metricsTrafficTests('embedded');

const ADMIN = 'metrics-admin-key-0123';

describe('metrics access (CABINET_METRICS_ACCESS, CABINET_METRICS_LISTEN)', () => {
  it('loopback (the default): no key from this machine, over IPv4 and IPv6', async () => {
    const server = await startTestServer();
    assert.equal(server.app.config.metricsAccess, 'loopback');
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
    const v6 = await startTestServer({ host: '::1' });
    assert.match(v6.url, /^http:\/\/\[::1\]:/);
    assert.equal((await fetch(`${v6.url}/metrics`)).status, 200);
  });

  it('loopback: other peers need an admin key (the address test)', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(address), true, address);
    for (const address of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '::2', '128.0.0.1', undefined]) assert.equal(isLoopback(address), false, String(address));
  });

  it('admin: an admin key, even from this machine; 401 without a key, 403 with an ordinary one', async () => {
    const server = await startTestServer({ metricsAccess: 'admin', adminKeys: [ADMIN] });
    await expectError(await fetch(`${server.url}/metrics`), 401, 'authentication_error');
    await expectError(await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': TEST_KEY } }), 403, 'permission_error');
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
  });

  it('open: anyone; off: 404 and no metrics kept', async () => {
    const open = await startTestServer({ metricsAccess: 'open' });
    assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
    const off = await startTestServer({ metricsAccess: 'off' });
    await expectError(await fetch(`${off.url}/metrics`), 404, 'not_found_error');
    assert.equal(off.app.metrics, undefined);
  });

  it('a separate listener serves /metrics only, with no key, also when the main listener serves none', async () => {
    const server = await startTestServer({ metricsAccess: 'off', metricsListen: '127.0.0.1:0' });
    assert.ok(server.metricsUrl);
    await expectError(await fetch(`${server.url}/metrics`), 404, 'not_found_error');
    assert.equal((await server.request('/v1/files')).status, 200);
    const scraped = await scrape(`${server.metricsUrl}/metrics`);
    assert.equal(scraped.value('cabinet_http_requests_total', { operation: 'files.list', status: '200' }), 1, 'it reports the main listener\'s traffic');
    await expectError(await fetch(`${server.metricsUrl}/v1/files`, { headers: { 'x-api-key': TEST_KEY } }), 404, 'not_found_error');
    await server.close();
    await assert.rejects(fetch(`${server.metricsUrl}/metrics`), 'closed with the server');
  });
});

describe('metrics: quota usage, jobs, uploads in flight, failures', () => {
  it('has series for the N largest workspaces and sums the rest as "other"', async () => {
    const server = await startTestServer({ adminKeys: [ADMIN], metricsTopWorkspaces: 2 });
    const sizes: Record<string, number> = { small: 100, large: 5000, medium: 1000, tiny: 10 };
    for (const [workspace, size] of Object.entries(sizes)) {
      const res = await upload(server, 'y'.repeat(size), { headers: { 'x-api-key': ADMIN, 'anthropic-workspace-id': workspace } });
      assert.equal(res.status, 200);
    }
    const scraped = await scrape(`${server.url}/metrics`);
    const used = Object.fromEntries(scraped.series('cabinet_workspace_used_bytes').map((l) => [l['workspace'], scraped.value('cabinet_workspace_used_bytes', l)]));
    assert.deepEqual(used, { large: 5000, medium: 1000, other: 110 });
    assert.equal(scraped.value('cabinet_workspace_files', { workspace: 'other' }), 2);
    assert.equal(scraped.value('cabinet_workspaces_with_files'), 4);
  });

  it('counts reaper runs and the expired files they delete', async () => {
    let offsetMs = 0;
    const server = await startTestServer({ reapIntervalSeconds: 1 }, { clock: () => Date.now() + offsetMs });
    const res = await upload(server, 'short-lived', { fields: { expires_in_seconds: '3600' } });
    assert.equal(res.status, 200);
    offsetMs = 3601 * 1000;
    let reaped: number | undefined;
    for (let i = 0; i < 100 && reaped !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reaped = (await scrape(`${server.url}/metrics`)).value('cabinet_reaped_files_total');
    }
    assert.equal(reaped, 1);
    const scraped = await scrape(`${server.url}/metrics`);
    assert.ok((scraped.value('cabinet_job_runs_total', { job: 'reap', outcome: 'ran' }) ?? 0) >= 2, 'the start-up reap and at least one interval');
    assert.ok(server.app.metrics);
    assert.ok((await histogramCount(server.app.metrics.registry, 'cabinet_job_duration_seconds', { job: 'reap' })) >= 2);
  });

  it('shows an upload in flight while its body streams', async () => {
    const server = await startTestServer();
    const url = new URL(`${server.url}/v1/files`);
    const boundary = 'inflightboundary';
    const req = request({
      host: url.hostname,
      port: url.port,
      path: '/v1/files',
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhalf of it`);
    let inFlight: number | undefined;
    for (let i = 0; i < 50 && inFlight !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight = (await scrape(`${server.url}/metrics`)).value('cabinet_uploads_in_flight');
    }
    assert.equal(inFlight, 1);
    req.end(` and the rest\r\n--${boundary}--\r\n`);
    assert.equal(await answered, 200);
    let after: number | undefined;
    for (let i = 0; i < 50 && after !== 0; i++) {
      after = (await scrape(`${server.url}/metrics`)).value('cabinet_uploads_in_flight');
      if (after !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(after, 0);
  });

  it('counts the gateway\'s upstream calls by upstream and status, with their latency; no answer is status 0', async () => {
    const server = await startTestServer({ upstream: 'mock', upstreamTimeoutMs: 300 });
    const ask = (headers: Record<string, string> = {}): Promise<Response> =>
      server.request('/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      });
    for (let i = 0; i < 2; i++) assert.equal((await ask()).status, 200);
    assert.equal((await ask({ 'cabinet-mock-fault': '529' })).status, 529);
    assert.equal((await ask({ 'cabinet-mock-fault': 'stall' })).status, 504);
    const scraped = await scrape(`${server.url}/metrics`);
    assert.equal(scraped.value('cabinet_upstream_requests_total', { upstream: 'mock', status: '200' }), 2);
    assert.equal(scraped.value('cabinet_upstream_requests_total', { upstream: 'mock', status: '529' }), 1);
    assert.equal(scraped.value('cabinet_upstream_requests_total', { upstream: 'mock', status: '0' }), 1, 'the stalled call timed out without an answer');
    assert.ok(server.app.metrics);
    assert.equal(await histogramCount(server.app.metrics.registry, 'cabinet_upstream_request_duration_seconds', { upstream: 'mock' }), 4);
  });

  it('still answers when the store cannot report quota usage, and counts the failure', async () => {
    const metadata = new MemoryMetadataBackend();
    metadata.workspaces.largestWorkspaces = async () => {
      throw new Error('database gone');
    };
    const { logger, lines } = await capturingLogger('warn');
    const server = await startTestServer({ store: 'memory' }, { stores: { metadata, blobs: new MemoryBlobStore(), exclusive: true }, logger });
    const scraped = await scrape(`${server.url}/metrics`);
    assert.equal(scraped.value('cabinet_metrics_collect_errors_total'), 1);
    assert.deepEqual(scraped.series('cabinet_workspace_used_bytes'), []);
    assert.ok(scraped.names.has('process_cpu_user_seconds_total'));
    assert.ok(lines.some((l) => l['msg'] === 'metrics: could not read quota usage'));
  });
});

/**
 * Per-key rate limiting (CABINET_RATE_LIMIT_PER_MINUTE): past the bucket, 429 rate_limit_error with
 * retry-after-ms / retry-after; the official SDK waits that long, retries, and succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import Anthropic, { RateLimitError } from 'anthropic-sdk-1';

let server: ServerProcess;
before(async () => {
  server = await spawnServer({ env: { CABINET_RATE_LIMIT_PER_MINUTE: '60' } });
});
after(() => server?.stop());

it('answers 429 past the per-key bucket, and the official SDK retries into success', async () => {
  const headers = { 'x-api-key': server.apiKey };
  const statuses = await Promise.all(Array.from({ length: 60 }, () => fetch(`${server.url}/v1/files`, { headers }).then((r) => r.status)));
  assert.deepEqual(new Set(statuses), new Set([200]));
  const limited = await fetch(`${server.url}/v1/files`, { headers });
  assert.equal(limited.status, 429);
  const body = (await limited.json()) as { error: { type: string } };
  assert.equal(body.error.type, 'rate_limit_error');
  const waitMs = Number(limited.headers.get('retry-after-ms'));
  assert.ok(waitMs > 0 && waitMs <= 1000, `retry-after-ms ${waitMs}`);
  assert.equal(limited.headers.get('retry-after'), '1');

  // Without retries the SDK surfaces RateLimitError; with its default retries it gets through.
  let attempts = 0;
  const counting = (maxRetries: number): Anthropic =>
    new Anthropic({ apiKey: server.apiKey, baseURL: server.url, maxRetries, fetch: (url, init) => { attempts++; return fetch(url, init); } });
  await assert.rejects(counting(0).files.list(), RateLimitError);
  attempts = 0;
  const page = await counting(2).files.list();
  assert.ok(Array.isArray(page.data));
  assert.ok(attempts >= 2, `the SDK retried (${attempts} attempts)`);
});

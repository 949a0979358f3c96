/** OpenAI Batch input validation (src/openai/batch-input.ts): every rule, per-line reports, bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPENAI_BATCH_LIMITS, OpenAIBatchValidator } from '../../src/openai/batch-input.js';
import type { OpenAIBatchLimits } from '../../src/openai/batch-input.js';

const line = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [] }, ...extra });

function validate(text: string, chunkSize = 7, limits: Readonly<OpenAIBatchLimits> = OPENAI_BATCH_LIMITS): ReturnType<OpenAIBatchValidator['finish']> {
  const v = new OpenAIBatchValidator(limits);
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunkSize) v.push(bytes.subarray(at, at + chunkSize));
  return v.finish();
}

describe('OpenAI batch input validator', () => {
  it('accepts valid JSONL in any chunking, with trailing blank lines', () => {
    const text = `${line('a')}\n${line('b')}\r\n${line('c')}\n\n`;
    for (const size of [1, 3, 64, 10_000]) assert.equal(validate(text, size), undefined, `chunks of ${size}`);
  });

  it('reports each bad line with its number and reason', () => {
    const text = [
      line('a'),
      line('a'),
      line('b', { method: 'GET' }),
      line('c', { url: 'https://example.com' }),
      line('d', { url: '/v1/embeddings' }),
      line('e', { body: 'text' }),
      '[1]',
      '{"custom_id": 5}',
      '{not json',
    ].join('\n');
    const problem = validate(text);
    assert.ok(problem);
    const all = [problem, ...(problem.more ?? [])].map((p) => [p.line, p.reason.split(' ')[0]]);
    assert.deepEqual(all, [
      [2, 'custom_id'],
      [3, 'method'],
      [4, 'url'],
      [5, 'url'],
      [6, 'body'],
      [7, 'not'],
      [8, 'custom_id'],
      [9, 'not'],
    ]);
    assert.match(problem.more?.[2]?.reason ?? '', /one endpoint per file/);
  });

  it('refuses an empty file, blank lines in the middle, and too many requests', () => {
    assert.deepEqual(validate(''), { line: 1, reason: 'the file contains no requests' });
    assert.equal(validate(`${line('a')}\n\n${line('b')}\n`)?.line, 2);
    const few = { ...OPENAI_BATCH_LIMITS, maxRequests: 2 };
    assert.match(validate(`${line('a')}\n${line('b')}\n${line('c')}\n`, 50, few)?.reason ?? '', /more than 2 requests/);
  });

  it('stops reading once enough lines are bad (the upload can be refused mid-stream)', () => {
    const v = new OpenAIBatchValidator();
    for (let i = 0; i < OPENAI_BATCH_LIMITS.maxProblems - 1; i++) v.push(Buffer.from('x\n'));
    assert.equal(v.problem, undefined, 'not decided before the limit');
    v.push(Buffer.from('x\n'));
    const problem = v.problem as { more?: unknown[] } | undefined;
    assert.equal(problem?.more?.length, OPENAI_BATCH_LIMITS.maxProblems - 1);
  });

  it('skips an over-long line without holding it, and goes on with the next', () => {
    const limits = { ...OPENAI_BATCH_LIMITS, maxLineBytes: 100 };
    const v = new OpenAIBatchValidator(limits);
    v.push(Buffer.from(`{"custom_id":"a",${'"x":1,'.repeat(20)}`));
    for (let i = 0; i < 1000; i++) v.push(Buffer.alloc(1000, 0x20));
    assert.ok((v as unknown as { pendingBytes: number }).pendingBytes <= 100, 'the long line is not held');
    v.push(Buffer.from(`\n${line('b')}\n`));
    const problem = v.finish();
    assert.equal(problem?.line, 1);
    assert.match(problem?.reason ?? '', /longer than 100 bytes/);
    assert.equal(problem?.more, undefined, 'line 2 is fine');
  });
});

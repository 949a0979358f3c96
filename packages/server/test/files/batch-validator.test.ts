/** Streaming validation of batch JSONL (files/batch-validator.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchValidator } from '../../src/files/batch-validator.js';

describe('batch validator', () => {
  it('finds the first bad line across chunk boundaries, holding one line at most', () => {
    const v = new BatchValidator();
    const good = JSON.stringify({ custom_id: 'a-1', params: { model: 'm', max_tokens: 5, messages: [{}] } });
    const text = `${good}\n${good.replace('a-1', 'a-2')}\n{"custom_id":"a-3","params":{"model":"m","max_tokens":-1,"messages":[{}]}}\n`;
    const bytesIn = new TextEncoder().encode(text);
    for (let i = 0; i < bytesIn.length; i += 7) v.push(bytesIn.subarray(i, i + 7));
    assert.deepEqual(v.finish(), { line: 3, reason: 'params.max_tokens must be a positive integer' });
  });
  it('accepts CRLF line ends and a final line without a newline', () => {
    const v = new BatchValidator();
    const good = (id: string): string => JSON.stringify({ custom_id: id, params: { model: 'm', max_tokens: 5, messages: [{}] } });
    v.push(new TextEncoder().encode(`${good('a')}\r\n${good('b')}`));
    assert.equal(v.finish(), undefined);
    assert.equal(v.requestCount, 2);
  });
});

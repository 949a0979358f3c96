/** Range, If-Range and If-None-Match decisions (http/conditional.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRange, ifNoneMatchHits } from '../../src/http/conditional.js';

describe('Range and If-None-Match', () => {
  it('decides ranges per RFC 9110', () => {
    assert.deepEqual(decideRange(undefined, 10), { kind: 'full' });
    assert.deepEqual(decideRange('bytes=0-0', 10), { kind: 'partial', range: { start: 0, end: 0 } });
    assert.deepEqual(decideRange('bytes=-20', 10), { kind: 'partial', range: { start: 0, end: 9 } });
    assert.deepEqual(decideRange('bytes=10-', 10), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=-0', 10), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=5-2', 10), { kind: 'full' });
    assert.deepEqual(decideRange('bytes=1-2,4-5', 10), { kind: 'full' });
  });
  it('matches entity tags weakly', () => {
    assert.equal(ifNoneMatchHits('"a", W/"b"', '"b"'), true);
    assert.equal(ifNoneMatchHits('*', '"x"'), true);
    assert.equal(ifNoneMatchHits('"c"', '"b"'), false);
  });
});

/** OpenAI Batch input validation (src/openai/batch-input.ts): every rule, per-line reports, bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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
    v.push(Buffer.from(`\n${line('b')}\n`));
    const problem = v.finish();
    assert.equal(problem?.line, 1);
    assert.match(problem?.reason ?? '', /longer than 100 bytes/);
    assert.equal(problem?.more, undefined, 'line 2 is fine');
  });

  it('scans a line of a million tiny containers in time proportional to its bytes (no JSON.parse)', () => {
    const huge = `{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"messages":[${'{},'.repeat(1_000_000)}{}]}}\n`;
    const bytes = Buffer.from(huge);
    const v = new OpenAIBatchValidator();
    const started = performance.now();
    let worst = 0;
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      const t = performance.now();
      v.push(bytes.subarray(at, at + 64 * 1024));
      worst = Math.max(worst, performance.now() - t);
    }
    assert.equal(v.finish(), undefined);
    // Generous margins for a loaded machine: JSON.parse of such a line takes seconds in one piece.
    assert.ok(worst < 200, `slowest 64 KiB chunk took ${worst.toFixed(1)} ms`);
    assert.ok(performance.now() - started < 5000);
  });
});

/**
 * The reference: the same rules with JSON.parse on each whole line. The scanner must find the same
 * bad lines for the same reasons (syntax errors may be worded differently).
 */
function reference(text: string): Array<{ line: number; reason: string }> {
  const problems: Array<{ line: number; reason: string }> = [];
  const ids = new Set<string>();
  let endpoint: string | undefined;
  let blank = 0;
  let requests = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    if (problems.length >= OPENAI_BATCH_LIMITS.maxProblems) break;
    const n = index + 1;
    if (/^[ \t\r]*$/.test(line)) {
      if (blank === 0) blank = n;
      continue;
    }
    if (blank !== 0) {
      problems.push({ line: blank, reason: 'line is empty' });
      blank = 0;
      if (problems.length >= OPENAI_BATCH_LIMITS.maxProblems) break;
    }
    const bad = (reason: string): void => {
      problems.push({ line: n, reason });
    };
    if (!/^[ \t\r]*\{/.test(line)) { bad('not a JSON object'); continue; }
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      bad('not valid JSON');
      continue;
    }
    const o = v as Record<string, unknown>;
    const id = o['custom_id'];
    if (typeof id !== 'string' || id === '') { bad('custom_id is missing'); continue; }
    if (ids.has(id)) { bad('custom_id'); continue; }
    if (o['method'] !== 'POST') { bad('method must be'); continue; }
    const url = o['url'];
    if (typeof url !== 'string' || !url.startsWith('/v1/')) { bad('url must be'); continue; }
    if (endpoint === undefined) endpoint = url;
    else if (url !== endpoint) { bad(`url '`); continue; }
    const body = o['body'];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) { bad('body is missing'); continue; }
    ids.add(id);
    requests++;
  }
  if (problems.length === 0 && requests === 0) problems.push({ line: 1, reason: 'the file contains no requests' });
  return problems;
}

describe('OpenAI batch input validator agrees with JSON.parse (differential, fast-check)', () => {
  it('finds the same bad lines, for the same reasons, in any chunking', () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    const member = (k: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
      fc.tuple(fc.constantFrom(JSON.stringify(k), `"${[...k].map((c) => (c === '_' ? '\\u005f' : c)).join('')}"`), value).map(([kk, vv]) => `${kk}:${vv}`);
    const request = fc
      .shuffledSubarray(
        [
          member('custom_id', fc.oneof(fc.constantFrom('"a"', '"b"', '"é"', '"\\u00e9"', '""', '5', 'null'), anyJson)),
          member('method', fc.constantFrom('"POST"', '"GET"', '"post"', '1', '"PO\\u0053T"')),
          member('url', fc.constantFrom('"/v1/chat/completions"', '"/v1/embeddings"', '"https://x"', '2', '"/v1/chat/completions"')),
          member('body', fc.oneof(fc.constantFrom('{}', '{"model":"m"}', '[]', '"x"'), anyJson)),
          member('other', anyJson),
        ],
        { minLength: 0 },
      )
      .chain((ms) => (ms.length === 0 ? fc.constant([] as string[]) : fc.tuple(...ms)))
      .map((ms) => `{${ms.join(',')}}`);
    const mutate = (line: string): fc.Arbitrary<string> =>
      fc.tuple(fc.nat(line.length), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', 'x', ' ')).map(([at, c]) => line.slice(0, at) + c + line.slice(at + 1));
    const lineArb = fc.oneof({ weight: 6, arbitrary: request }, { weight: 2, arbitrary: request.chain(mutate) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', '[1]') });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 0, maxLength: 14 }), fc.integer({ min: 1, max: 40 }), (lines, chunk) => {
        const text = lines.join('\n') + '\n';
        const expected = reference(text);
        const actual = validate(text, chunk);
        const all = actual ? [actual, ...(actual.more ?? [])] : [];
        const show = JSON.stringify(text.slice(0, 400));
        assert.deepEqual(all.map((p) => p.line), expected.map((p) => p.line), show);
        for (const [i, p] of all.entries()) assert.ok(p.reason.startsWith(expected[i]?.reason ?? '?'), `${p.reason} vs ${expected[i]?.reason}: ${show}`);
      }),
      { numRuns: Number(process.env['CABINET_FUZZ_RUNS'] ?? 2000) },
    );
  });
});

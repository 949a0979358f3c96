/** Streaming validation of batch JSONL (files/batch-validator.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BATCH_LIMITS, BatchValidator } from '../../src/files/batch-validator.js';

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

/**
 * The reference: what the validator did before issue 12, with JSON.parse on each whole line. The
 * scanner must agree with it on every file: which line is the first bad one, and why (syntax
 * errors may be worded differently).
 */
function referenceProblem(text: string): { line: number; reason: string } | undefined {
  const ids = new Set<string>();
  let blank = 0;
  let requests = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const n = index + 1;
    if (/^[ \t\r]*$/.test(line)) {
      if (blank === 0) blank = n;
      continue;
    }
    if (blank !== 0) return { line: blank, reason: 'line is empty; every line must be one JSON request' };
    if (!/^[ \t\r]*\{/.test(line)) return { line: n, reason: 'not a JSON object (each line is one request, starting with `{`)' };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return { line: n, reason: 'not valid JSON' };
    }
    const o = v as Record<string, unknown>;
    const id = o['custom_id'];
    if (typeof id !== 'string') return { line: n, reason: 'custom_id is missing or not a string' };
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return { line: n, reason: "custom_id '" }; // then the id, as the scanner saw it
    if (ids.has(id)) return { line: n, reason: `custom_id '${id}' is used by an earlier line` };
    const p = o['params'];
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return { line: n, reason: 'params is missing or not an object' };
    const params = p as Record<string, unknown>;
    if (typeof params['model'] !== 'string' || params['model'] === '') return { line: n, reason: 'params.model is missing or not a string' };
    const mt = params['max_tokens'];
    if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) return { line: n, reason: 'params.max_tokens must be a positive integer' };
    const m = params['messages'];
    if (!Array.isArray(m) || m.length === 0) return { line: n, reason: 'params.messages must be a non-empty array' };
    ids.add(id);
    requests++;
  }
  return requests === 0 ? { line: 1, reason: 'the file contains no requests' } : undefined;
}

function scan(text: string, chunk: number): { line: number; reason: string } | undefined {
  const v = new BatchValidator();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) v.push(bytes.subarray(i, i + chunk));
  return v.finish();
}

const verdicts = { accepted: 0, total: 0 };

function sameVerdict(text: string, chunk: number): void {
  const expected = referenceProblem(text);
  verdicts.total++;
  if (expected === undefined) verdicts.accepted++;
  const actual = scan(text, chunk);
  const show = `${JSON.stringify(text.slice(0, 300))} (chunks of ${chunk})`;
  if (expected === undefined) {
    assert.equal(actual, undefined, show);
    return;
  }
  assert.ok(actual, `accepted, but JSON.parse finds line ${expected.line}: ${expected.reason}: ${show}`);
  assert.equal(actual.line, expected.line, `${actual.reason} vs ${expected.reason}: ${show}`);
  assert.ok(actual.reason.startsWith(expected.reason.split(' (')[0] ?? ''), `${actual.reason} vs ${expected.reason}: ${show}`);
}

describe('batch validator agrees with JSON.parse (differential, fast-check)', () => {
  // JSON text of a value, with the escapes, numbers and whitespace JSON allows.
  const anyJson = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v, null, fc.sample(fc.constantFrom(0, 1), 1)[0] ? 1 : undefined).replace(/\n/g, ' '));
  const key = (k: string): fc.Arbitrary<string> => fc.constantFrom(JSON.stringify(k), `"${[...k].map((c) => (c === '_' ? '\\u005f' : c)).join('')}"`, `"${k}"`);
  const member = (k: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(key(k), value).map(([kk, vv]) => `${kk}:${vv}`);
  const customId = fc.oneof(fc.constantFrom('"a"', '"b-1"', '"C_2"', `"${'x'.repeat(64)}"`, `"${'x'.repeat(65)}"`, '"has space"', '""', '5', 'null', '"\\u0061"', '"é"'), anyJson);
  const model = fc.oneof(fc.constantFrom('"m"', '""', '"claude-sonnet-4-5"', '1', 'null'), anyJson);
  const maxTokens = fc.oneof(fc.constantFrom('1', '1024', '0', '-1', '1.5', '1.0', '1e3', '2E+2', '1e-2', '"5"', 'true', '99999999999999999999'), anyJson);
  const messages = fc.oneof(fc.constantFrom('[]', '[{}]', '[ ]', '[[]]', '{}', '"x"'), fc.array(anyJson, { maxLength: 3 }).map((a) => `[${a.join(',')}]`), anyJson);
  const params = fc
    .shuffledSubarray([member('model', model), member('max_tokens', maxTokens), member('messages', messages), member('system', anyJson), member('model', model)], { minLength: 0 })
    .chain((ms) => (ms.length === 0 ? fc.constant([] as string[]) : fc.tuple(...ms)))
    .map((ms) => `{${ms.join(',')}}`);
  const request = fc
    .shuffledSubarray([member('custom_id', customId), member('params', fc.oneof({ weight: 5, arbitrary: params }, { weight: 1, arbitrary: anyJson })), member('other', anyJson), member('params', params)], { minLength: 0 })
    .chain((ms) => (ms.length === 0 ? fc.constant([] as string[]) : fc.tuple(...ms)))
    .map((ms) => `{${ms.join(',')}}`);
  /** Insert, delete or replace a byte: most mutants are not JSON any more. */
  const mutate = (line: string): fc.Arbitrary<string> =>
    fc.tuple(fc.nat(line.length), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', 'x', '0', '-', '.', 'e', ' ', '\t', 'n', 't', '\u0001'), fc.constantFrom('insert', 'delete', 'replace')).map(([at, c, op]) =>
      op === 'insert' ? line.slice(0, at) + c + line.slice(at) : op === 'delete' ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + c + line.slice(at + 1),
    );
  // Valid requests, written in every way JSON allows: any key order, escaped keys, extra members.
  const validParams = fc
    .shuffledSubarray([member('model', fc.constantFrom('"m"', '"claude-sonnet-4-5"', '"\\u0041"')), member('max_tokens', fc.constantFrom('1', '1024', '1.0', '1e3', '2E+2')), member('messages', fc.array(anyJson, { minLength: 1, maxLength: 3 }).map((a) => `[ ${a.join(' , ')} ]`)), member('system', anyJson), member('metadata', anyJson)], { minLength: 5 })
    .chain((ms) => fc.tuple(...ms))
    .map((ms) => `{${ms.join(',')}}`);
  const validRequest = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), validParams, fc.option(anyJson), fc.boolean())
    .chain(([id, p, extra, paramsFirst]) =>
      fc.tuple(key('custom_id'), key('params')).map(([ck, pk]) => {
        const members = paramsFirst ? [`${pk}:${p}`, `${ck}:"${id}"`] : [`${ck}:"${id}"`, `${pk}:${p}`];
        if (extra !== null) members.push(`"x":${extra}`);
        return ` { ${members.join(' ,')} } `;
      }),
    );
  const line = fc.oneof(
    { weight: 8, arbitrary: validRequest },
    { weight: 2, arbitrary: request },
    { weight: 2, arbitrary: fc.oneof(request, validRequest).chain(mutate) },
    { weight: 1, arbitrary: fc.constantFrom('', '  ', '\r', 'x', '[1]', '{}', ' {"custom_id":"z"}') },
  );
  const file = fc.tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([ls, eol, trailing]) => ls.join(eol) + (trailing ? eol : ''));

  it('finds the same first bad line, for the same reason, in any chunking', () => {
    fc.assert(
      fc.property(file, fc.constantFrom(1, 3, 7, 64, 65536), (text, chunk) => sameVerdict(text, chunk)),
      { numRuns: Number(process.env['CABINET_FUZZ_RUNS'] ?? 3000) },
    );
    // The generator must reach the interesting side too: files that are valid batches.
    assert.ok(verdicts.accepted > verdicts.total * 0.05, `only ${verdicts.accepted} of ${verdicts.total} generated files were valid`);
  });

  it('agrees on hand-picked edge cases', () => {
    const good = '{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[{}]}}';
    for (const text of [
      good,
      `${good}\n`,
      `  ${good}  \r\n`,
      good.replace('"a"', '"a","custom_id":"b"'), // last duplicate wins, as in JSON.parse
      good.replace('"params":{', '"params":"x","params":{'),
      good.replace('"model":"m"', '"model":"m","model":""'),
      good.replace('[{}]', '[{}],"messages":[]'),
      good.replace('"max_tokens":1', '"max_tokens":1.0'),
      good.replace('"max_tokens":1', '"max_tokens":01'),
      good.replace('"max_tokens":1', '"max_tokens":-0'),
      good.replace('"max_tokens":1', '"max_tokens":1e0'),
      good.replace('"custom_id"', '"custom\\u005Fid"'),
      good.replace('"m"', '"\\ud83d\\ude00"'),
      good.replace('"m"', '"a\tb"'),
      good.replace('[{}]', '[{"custom_id":"nested","params":5}]'),
      `${good.slice(0, -1)}`,
      `${good}}`,
      `${good} x`,
      `${good}\n\n${good.replace('"a"', '"b"')}`,
      `\ufeff${good}`,
      `{"params":{"model":"m","max_tokens":1,"messages":[{}]},"custom_id":"a"}`,
      '{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[{}],"x":[[[[[[]]]]]]}}',
      `{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[{}],"x":${'['.repeat(600)}${']'.repeat(600)}}}`,
    ]) {
      if (text.includes('['.repeat(600))) {
        // Deeper than the scanner's limit: refused, where JSON.parse would build it.
        assert.match(scan(text, 5)?.reason ?? '', /nested deeper than 512 levels/);
        continue;
      }
      for (const chunk of [1, 4, 1000]) sameVerdict(text, chunk);
    }
  });
});

describe('batch validator cost (issue 12 point 1)', () => {
  it('spends time in proportion to bytes, whatever the structure, and keeps no line in memory', () => {
    // One 24 MiB line of 8 million empty objects: JSON.parse took seconds and ~800 MB on this.
    const head = Buffer.from('{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[');
    const unit = Buffer.from('{},'.repeat(21_845)); // 64 KiB
    const v = new BatchValidator();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let slowest = 0;
    const started = performance.now();
    v.push(head);
    for (let i = 0; i < 384; i++) {
      const t0 = performance.now();
      v.push(unit);
      slowest = Math.max(slowest, performance.now() - t0);
    }
    v.push(Buffer.from('{}]}}\n'));
    const total = performance.now() - started;
    assert.equal(v.finish(), undefined);
    // A 64 KiB chunk is a fraction of a millisecond on a quiet machine; the margins are for a loaded CI box.
    assert.ok(slowest < 50, `slowest 64 KiB chunk took ${slowest.toFixed(1)} ms`);
    assert.ok(total < 5000, `24 MiB took ${total.toFixed(0)} ms`);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB while scanning a 24 MiB line`);
  });

  it('refuses a line longer than the limit of one Messages request, naming it, without holding it', () => {
    const v = new BatchValidator();
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    v.push(Buffer.from('{"custom_id":"a","x":"'));
    for (let i = 0; i < 33 && !v.problem; i++) v.push(Buffer.alloc(1024 * 1024, 0x61));
    void chunk;
    assert.deepEqual(v.problem, { line: 1, reason: `line is longer than ${BATCH_LIMITS.maxLineBytes} bytes (the limit of one Messages request)` });
  });
});

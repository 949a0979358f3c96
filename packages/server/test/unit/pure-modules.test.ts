/** Unit tests of the small pure modules: ids, headers, ranges, config, filenames, mime types, batch lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../src/auth/rate-limiter.js';
import { bytes, ConfigError, loadConfig, OPTIONS } from '../../src/config.js';
import { BatchValidator } from '../../src/files/batch-validator.js';
import { createFileIdGenerator, fileIdTimeMs, isFileId } from '../../src/files/file-id.js';
import { checkFilename, unnamedFilename } from '../../src/files/filename.js';
import { decideMimeType } from '../../src/files/mime-type.js';
import { decideRange, ifNoneMatchHits } from '../../src/http/conditional.js';
import { contentDisposition } from '../../src/http/content-disposition.js';
import { decodePageToken, encodePageToken } from '../../src/http/page-token.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('file ids', () => {
  it('are well-formed, time-ordered, and strictly increasing within a millisecond', () => {
    const gen = createFileIdGenerator();
    const ids = [gen.next(1_700_000_000_000), gen.next(1_700_000_000_000), gen.next(1_700_000_000_000), gen.next(1_700_000_000_001)];
    for (const id of ids) assert.ok(isFileId(id), id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 4);
    assert.equal(fileIdTimeMs(ids[3] ?? ''), 1_700_000_000_001);
    // A clock that steps back does not break the order.
    assert.ok(gen.next(1_600_000_000_000) > (ids[3] ?? ''));
  });
  it('carry 80 random bits: two generators never collide', () => {
    const a = createFileIdGenerator();
    const b = createFileIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      seen.add(a.next(5));
      seen.add(b.next(5));
    }
    assert.equal(seen.size, 4000);
  });
  it('refuses look-alikes', () => {
    for (const bad of ['file_', 'file_01M870R4ZK2XABNBNFWC9EAAT', 'file_01M870R4ZK2XABNBNFWC9EAAT4X', 'file_01m870r4zk2xabnbnfwc9eaat4', 'FILE_01M870R4ZK2XABNBNFWC9EAAT4', 'file_01M870R4ZK2XABNBNFWC9EAAIL']) {
      assert.equal(isFileId(bad), false, bad);
    }
  });
});

describe('Content-Disposition (RFC 6266 / 8187, greenbytes tc2231 shapes)', () => {
  const cases: Array<[string, string]> = [
    ['foo.html', `attachment; filename="foo.html"; filename*=UTF-8''foo.html`],
    ['foo bar.html', `attachment; filename="foo bar.html"; filename*=UTF-8''foo%20bar.html`],
    ['€ rates', `attachment; filename="_ rates"; filename*=UTF-8''%E2%82%AC%20rates`],
    ['foo-ä.html', `attachment; filename="foo-_.html"; filename*=UTF-8''foo-%C3%A4.html`],
    ['100%.txt', `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`],
    ["it's;a=b,c.txt", `attachment; filename="it's;a=b,c.txt"; filename*=UTF-8''it%27s%3Ba%3Db%2Cc.txt`],
    ['\u202Egnp.exe', `attachment; filename="_gnp.exe"; filename*=UTF-8''%E2%80%AEgnp.exe`],
  ];
  for (const [name, expected] of cases) it(JSON.stringify(name), () => assert.equal(contentDisposition(name), expected));
  it('never lets a quote, backslash or line break into the header', () => {
    const header = contentDisposition('a"b\\c\r\nSet-Cookie: x');
    assert.doesNotMatch(header, /[\r\n]/);
    assert.match(header, /^attachment; filename="a_b_c__Set-Cookie: x"; /);
  });
});

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

describe('page tokens', () => {
  it('round-trip a position and refuse anything else', () => {
    const id = createFileIdGenerator().next(Date.now());
    assert.deepEqual(decodePageToken(encodePageToken({ direction: 'before', cursor: id })), { direction: 'before', cursor: id });
    for (const bad of ['page_', 'page_!!!', `page_${Buffer.from('x:file_1').toString('base64url')}`, 'nope']) {
      assert.throws(() => decodePageToken(bad), /^InvalidParameterError: page: /);
    }
  });
});

describe('configuration', () => {
  it('reads env and flags (flags win) and parses byte sizes', () => {
    const config = loadConfig({ CABINET_PORT: '9000', CABINET_MAX_FILE_BYTES: '1.5GiB', CABINET_API_KEYS: ' a, b ,,' }, ['--port', '9100', '--quota-bytes=2GB']);
    assert.equal(config.port, 9100);
    assert.equal(config.maxFileBytes, 1.5 * 1024 ** 3);
    assert.equal(config.quotaBytes, 2e9);
    assert.deepEqual(config.apiKeys, ['a', 'b']);
    assert.equal(bytes('500MB'), 500e6);
  });
  it('names the setting at fault', () => {
    assert.throws(() => loadConfig({ CABINET_PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /CABINET_PORT \(--port\)/.test(e.message));
    assert.throws(() => loadConfig({}, ['--nope', '1']), /unknown option --nope/);
    assert.throws(() => loadConfig({ CABINET_STORE: 'mongo' }), /CABINET_STORE/);
  });
  it('is documented: every setting appears in the README configuration table', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    for (const o of OPTIONS) assert.match(readme, new RegExp(`\\| \`${o.env}\` \\|`), `${o.env} missing from README.md`);
  });
});

describe('filenames and types', () => {
  it('keeps names, strips paths, refuses forbidden characters', () => {
    assert.equal(checkFilename('a/b/c.txt'), 'c.txt');
    assert.equal(checkFilename(''), undefined);
    assert.equal(checkFilename(undefined), undefined);
    assert.equal(checkFilename('é'.repeat(255)), 'é'.repeat(255));
    assert.throws(() => checkFilename('é'.repeat(256)), /256 characters/);
    assert.throws(() => checkFilename('a\u0000b'), /U\+0000/);
    assert.equal(unnamedFilename('application/pdf'), 'unnamed.pdf');
    assert.equal(unnamedFilename('application/x-unknown'), 'unnamed');
  });
  it('trusts a specific declared type, sniffs otherwise', () => {
    const head = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.equal(decideMimeType({ declared: 'application/json', filename: 'x.txt', head: head('{}') }), 'application/json');
    assert.equal(decideMimeType({ declared: 'application/octet-stream', filename: 'x.docx', head: head('PK\x03\x04rest') }), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    assert.equal(decideMimeType({ declared: undefined, filename: 'r.md', head: head('# title') }), 'text/markdown');
    assert.equal(decideMimeType({ declared: 'text/plain', filename: 'x', head: head('%PDF-1.4') }), 'application/pdf');
  });
});

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

describe('rate limiter', () => {
  it('allows a burst of the bucket size, then one request per refill interval, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 1000);
    assert.equal(limiter.take('b'), 0, 'another key has its own bucket');
    now += 999;
    assert.ok(limiter.take('a') > 0);
    now += 2;
    assert.equal(limiter.take('a'), 0);
    now += 3_600_000;
    for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), 0, 'refills to the bucket size, not beyond');
    assert.ok(limiter.take('a') > 0);
  });
});

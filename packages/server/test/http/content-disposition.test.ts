/** Content-Disposition for downloads (http/content-disposition.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDisposition } from '../../src/http/content-disposition.js';

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

/**
 * The hostile request corpus: malformed and truncated multipart, huge preambles, thousands of
 * parts, missing boundaries, wrong content types, hostile ids, bad cursors and limits, conflicting
 * parameters, oversized headers, request smuggling shapes and hostile filenames (CR/LF, quotes, RTL,
 * NUL, 10 KB names, traversal, and the Content-Disposition cases of greenbytes' tc2231 test suite,
 * http://test.greenbytes.de/tech/tc2231/). Each case is raw bytes, because clients refuse to send
 * most of them. It guards against the failures peers' servers were reported for (silently
 * truncated parts, path traversal in names, unbounded part counts).
 */
export interface HostileCase {
  name: string;
  /** The request, or its pieces (sent with a short pause between them). */
  request: string | Buffer | Array<string | Buffer>;
  /** Statuses that are right for this case; by default any 2xx or 4xx with the error envelope. */
  expect?: number[];
}

const B = 'hostileboundary';

export function buildCorpus(apiKey: string, existingId: string, foreignId: string, foreignPage: string): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, request: HostileCase['request'], expect?: number[]): void => {
    cases.push(expect ? { name, request, expect } : { name, request });
  };
  const head = (method: string, target: string, headers: string[] = [], withKey = true): string =>
    [`${method} ${target} HTTP/1.1`, 'host: cabinet.test', ...(withKey ? [`x-api-key: ${apiKey}`] : []), 'connection: close', ...headers].join('\r\n') +
    '\r\n\r\n';
  const post = (body: string | Buffer, contentType = `multipart/form-data; boundary=${B}`, extra: string[] = []): Buffer => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
    return Buffer.concat([Buffer.from(head('POST', '/v1/files', [`content-type: ${contentType}`, `content-length: ${bytes.length}`, ...extra]), 'latin1'), bytes]);
  };
  const part = (disposition: string, body: string, contentType?: string): string =>
    `--${B}\r\ncontent-disposition: ${disposition}\r\n${contentType ? `content-type: ${contentType}\r\n` : ''}\r\n${body}\r\n`;
  const filePart = (body = 'hello'): string => part('form-data; name="file"; filename="a.txt"', body, 'text/plain');
  const close = `--${B}--\r\n`;

  // --- Multipart structure (malformed, truncated, oversized) ---
  add('multipart: empty body', post(''));
  add('multipart: only the closing delimiter', post(close));
  add('multipart: no closing delimiter', post(filePart()));
  add('multipart: truncated inside the part headers', post(`--${B}\r\ncontent-disposition: form-da`));
  add('multipart: truncated inside the file bytes', post(`--${B}\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n\r\nabc`));
  add('multipart: boundary missing from content-type', post(filePart() + close, 'multipart/form-data'));
  add('multipart: empty boundary', post(filePart() + close, 'multipart/form-data; boundary='));
  add('multipart: boundary that does not match the body', post(filePart() + close, 'multipart/form-data; boundary=other'));
  add('multipart: 71-character boundary (RFC 2046 allows 70)', post(filePart() + close, `multipart/form-data; boundary=${'b'.repeat(71)}`));
  add('multipart: quoted boundary with spaces', post(filePart() + close, 'multipart/form-data; boundary="a b c"'));
  add('multipart: 1 MB preamble', post('x'.repeat(1_000_000) + '\r\n' + filePart() + close));
  add('multipart: 1 MB epilogue', post(filePart() + close + 'y'.repeat(1_000_000)));
  add('multipart: 5,000 text parts', post(Array.from({ length: 5000 }, (_, i) => part(`form-data; name="f${i}"`, 'v')).join('') + filePart() + close));
  add('multipart: 200 file parts', post(Array.from({ length: 200 }, () => filePart()).join('') + close));
  add('multipart: two file parts', post(filePart('one') + filePart('two') + close));
  add('multipart: no file part', post(part('form-data; name="purpose"', 'user_data') + close));
  add('multipart: part without content-disposition', post(`--${B}\r\ncontent-type: text/plain\r\n\r\nabc\r\n` + close));
  add('multipart: part with a bare disposition', post(part('form-data', 'abc') + close));
  add('multipart: disposition not form-data', post(part('attachment; name="file"; filename="a"', 'abc') + close));
  add('multipart: file part named File (case)', post(part('form-data; name="File"; filename="a"', 'abc') + close));
  add('multipart: 64 KB part header line', post(`--${B}\r\ncontent-disposition: form-data; name="file"; filename="a"\r\nx-junk: ${'j'.repeat(65_536)}\r\n\r\nabc\r\n` + close));
  add('multipart: 2,000 part headers', post(`--${B}\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n${Array.from({ length: 2000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\nabc\r\n` + close));
  add('multipart: LF-only line endings', post(filePart().replace(/\r\n/g, '\n') + close.replace(/\r\n/g, '\n')));
  add('multipart: NUL bytes in part headers', post(`--${B}\r\ncontent-disposition: form-data; name="fi\u0000le"; filename="a"\r\n\r\nabc\r\n` + close));
  add('multipart: 1 MB text field', post(part('form-data; name="purpose"', 'p'.repeat(1_000_000)) + filePart() + close));
  const full = post(filePart() + close);
  add('multipart: body stops short of its content-length, client stalls', full.subarray(0, full.length - 10), [408]);
  add('headers stop half-way, client stalls', head('POST', '/v1/files').slice(0, 40), [408]);
  add('multipart: body larger than the max file size', post(filePart('z'.repeat(2 * 1024 * 1024 + 10)) + close), [413]);
  add('multipart: part content-type garbage', post(part('form-data; name="file"; filename="a"', 'abc', '\u0001\u0002;;;') + close));
  add('multipart: invalid charset in content-type', post(filePart() + close, `multipart/form-data; boundary=${B}; charset=utf-99`));
  for (const purpose of ['', 'x', 'BATCH', 'user_data ', 'batch\u0000', 'assistants', '"batch"', 'user_data,batch']) {
    add(`purpose: ${JSON.stringify(purpose)}`, post(part('form-data; name="purpose"', purpose) + filePart() + close));
  }
  add('purpose: given twice, conflicting', post(part('form-data; name="purpose"', 'batch') + part('form-data; name="purpose"', 'user_data') + filePart('{}') + close));
  add('purpose: batch with invalid JSONL', post(part('form-data; name="purpose"', 'batch') + filePart('{not json\n') + close));
  add('purpose: batch after the file, invalid JSONL', post(filePart('[1,2]\n') + part('form-data; name="purpose"', 'batch') + close));
  for (const expires of ['', '-1', '0', 'abc', '1e309', '99999999999999999999', '3.5', ' 60', '0x10', 'NaN']) {
    add(`expires_in_seconds: ${JSON.stringify(expires)}`, post(filePart() + part('form-data; name="expires_in_seconds"', expires) + close));
  }

  // --- Chunked framing and request smuggling shapes ---
  const chunkedHead = head('POST', '/v1/files', [`content-type: multipart/form-data; boundary=${B}`, 'transfer-encoding: chunked']);
  add('chunked: invalid chunk size', chunkedHead + 'zz\r\nabc\r\n0\r\n\r\n', [400]);
  add('chunked: chunk longer than declared', chunkedHead + '3\r\nabcdef\r\n0\r\n\r\n', [400]);
  add('chunked: missing final chunk, then close', chunkedHead + '5\r\nhello\r\n');
  add('chunked: 2^64 chunk size', chunkedHead + 'ffffffffffffffffff\r\nabc\r\n0\r\n\r\n', [400]);
  add('smuggling: content-length and transfer-encoding', head('POST', '/v1/files', [`content-type: multipart/form-data; boundary=${B}`, 'content-length: 5', 'transfer-encoding: chunked']) + '0\r\n\r\n', [400]);
  add('smuggling: two content-lengths', head('POST', '/v1/files', ['content-length: 5', 'content-length: 6']) + 'hello!', [400]);
  add('smuggling: negative content-length', head('POST', '/v1/files', ['content-length: -5']), [400]);
  add('smuggling: transfer-encoding gzip, chunked', head('POST', '/v1/files', ['transfer-encoding: gzip, chunked']) + '0\r\n\r\n');
  add('smuggling: obfuscated transfer-encoding', head('POST', '/v1/files', ['transfer-encoding : chunked']) + '0\r\n\r\n', [400]);

  // --- Content types ---
  for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/mixed; boundary=' + B, 'multipart/form-data-ish; boundary=' + B, '', '*/*', 'multipart/']) {
    add(`content-type: ${JSON.stringify(type)}`, post(filePart() + close, type));
  }
  add('content-type: missing', Buffer.from(head('POST', '/v1/files', ['content-length: 5']) + 'hello', 'latin1'));

  // --- Hostile filenames (each must be stored safely or refused; never a 5xx) ---
  const names = [
    'a\r\nx-injected: 1', 'a\rb', 'a\nb', 'quote"inside', "single'quote", '\u202Egnp.exe', 'nul\u0000byte', 'n'.repeat(10_240), '../../etc/passwd',
    '..', '.', '/', '/etc/shadow', 'C:\\Windows\\system32\\cmd.exe', '..\\..\\boot.ini', '%2e%2e%2f%2e%2e%2fetc', 'con', 'aux.txt', 'emoji-😀.txt',
    ' leading space', 'trailing space ', 'tab\tname', '\u0007bell', '<script>alert(1)</script>.html', "'; DROP TABLE files; --", '${jndi:ldap://x}', '\uFEFFbom.txt',
    '\uD800lone-surrogate', 'x'.repeat(255) + '.txt', '',
  ];
  for (const name of names) {
    add(`filename: ${JSON.stringify(name.slice(0, 40))}`, post(part(`form-data; name="file"; filename="${name}"`, 'x', 'text/plain') + close));
  }
  add('filename: invalid UTF-8 bytes', post(Buffer.concat([Buffer.from(`--${B}\r\ncontent-disposition: form-data; name="file"; filename="`), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(`"\r\n\r\nx\r\n${close}`)])));
  // tc2231 Content-Disposition shapes, as the file part's header.
  const tc2231 = [
    'form-data; name="file"; filename=foo.html', 'form-data; name="file"; filename="foo.html"; filename="bar.html"', 'form-data; name="file"; filename=foo bar.html',
    'form-data; name="file"; filename="foo-%41.html"', 'form-data; name="file"; filename="foo-%c3%a4-%e2%82%ac.html"', 'form-data; name="file"; filename="\\"quoting\\" tested.html"',
    'form-data; name="file"; filename="Here\'s a semicolon;.html"', 'form-data; name="file"; foo="bar"; filename="foo.html"', 'form-data; name="file"; FILENAME="foo.html"',
    'form-data; name="file"; filename*=UTF-8\'\'foo-%c3%a4-%e2%82%ac.html', "form-data; name=\"file\"; filename*=iso-8859-1''foo-%E4.html", "form-data; name=\"file\"; filename*=UTF-8''foo-a%cc%88.html",
    "form-data; name=\"file\"; filename*=utf-8''%e2%82%ac%20rates", "form-data; name=\"file\"; filename*=UTF-8''foo-%c3%a4.html; filename=\"foo-ae.html\"", "form-data; name=\"file\"; filename*0=\"foo.\"; filename*1=\"html\"",
    "form-data; name=\"file\"; filename*=''foo-%c3%a4-%e2%82%ac.html", "form-data; name=\"file\"; filename*=UTF-8''foo%", "form-data; name=\"file\"; filename*=UTF-8'foo-%c3%a4.html",
    'form-data; name="file"; filename=""', 'form-data; name="file"; filename', 'form-data; name="file"; filename=', 'form-data; name="file";;; filename="x"', 'form-data; name="file"; filename="a\\\\b"',
    'form-data; name="file"; filename=\'foo.html\'', 'form-data; name="file"; filename="foo.html', 'form-data; name="file"; filename=foo.html;', 'form-data; name="file"; filename="=?ISO-8859-1?Q?foo-=E4.html?="',
  ];
  for (const disposition of tc2231) add(`tc2231: ${disposition.slice(26, 70)}`, post(part(disposition, 'x', 'text/plain') + close));

  // --- Ids in paths ---
  const ids = [
    '', 'file_', 'file_' + 'I'.repeat(26), 'file_' + 'a'.repeat(26), 'FILE_01ARZ3NDEKTSV4RRFFQ69G5FAV', 'file_01ARZ3NDEKTSV4RRFFQ69G5FA', 'file_01ARZ3NDEKTSV4RRFFQ69G5FAVV',
    '..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', 'file_%00', '%ZZ', "'%20OR%201=1%20--", 'file_01;DROP%20TABLE%20files', 'x'.repeat(10_000), '%F0%9F%98%80',
    '%C0%AE%C0%AE', 'file_01ARZ3NDEKTSV4RRFFQ69G5FAV%0d%0aX-Injected:%201', '../files', '%20', 'null', 'undefined', '[object Object]', '-1', foreignId,
  ];
  for (const id of ids) {
    add(`GET /v1/files/${id.slice(0, 40)}`, head('GET', `/v1/files/${id}`));
    add(`GET content of ${id.slice(0, 40)}`, head('GET', `/v1/files/${id}/content`));
    add(`DELETE /v1/files/${id.slice(0, 40)}`, head('DELETE', `/v1/files/${id}`));
  }

  // --- Query parameters ---
  const queries = [
    'limit=0', 'limit=-1', 'limit=1001', 'limit=abc', 'limit=1e3', 'limit=', 'limit=20&limit=30', 'limit=99999999999999999999', 'limit=%00', 'limit=1.5',
    'after_id=garbage', 'before_id=garbage', `after_id=${existingId}&before_id=${existingId}`, 'after_id=', `after_id=${'z'.repeat(5000)}`, `after_id=${foreignId}`,
    'page=garbage', 'page=page_', 'page=page_!!!', `page=${foreignPage}`, 'page=page_eyJ4IjoxfQ', `page=${'p'.repeat(10_000)}`,
    'ids[]=x', `ids[]=${foreignId}`, Array.from({ length: 1000 }, (_, i) => `ids[]=file_${i}`).join('&'), 'ids=not-array', 'ids[]=', 'ids[0]=x',
    'scope_id=x', 'beta=true&beta=false', 'unknown=1', `${'k'.repeat(5000)}=v`, '%zz=%zz', 'limit=5&page=garbage&after_id=x', '&&&&', '=',
  ];
  for (const query of queries) add(`GET /v1/files?${query.slice(0, 50)}`, head('GET', `/v1/files?${query}`, ['anthropic-beta: files-api-2025-04-14']));

  // --- Headers ---
  add('header: 100 KB value', head('GET', '/v1/files', [`x-junk: ${'h'.repeat(100_000)}`]), [431]);
  add('header: 5,000 headers', head('GET', '/v1/files', Array.from({ length: 5000 }, (_, i) => `x-h${i}: v`)), [431]);
  add('header: 100 KB URL', head('GET', `/v1/files?q=${'u'.repeat(100_000)}`), [431]);
  add('header: invalid name characters', head('GET', '/v1/files', ['bad header: x']), [400]);
  add('header: NUL in a value', head('GET', '/v1/files', ['x-junk: a\u0000b']), [400]);
  add('header: obsolete line folding', head('GET', '/v1/files', ['x-junk: a', ' continued']), [400]);
  add('header: no Host', `GET /v1/files HTTP/1.1\r\nx-api-key: ${apiKey}\r\nconnection: close\r\n\r\n`);
  for (const auth of ['x-api-key:', 'x-api-key: wrong', 'authorization: Bearer', 'authorization: Bearer    ', 'authorization: Basic Zm9vOmJhcg==', 'x-api-key: ключ', `x-api-key: ${apiKey}x`, 'authorization: Bearer a b c']) {
    add(`auth: ${auth}`, [`GET /v1/files HTTP/1.1`, 'host: cabinet.test', auth, 'connection: close', '', ''].join('\r\n'), [400, 401]);
  }
  for (const range of ['bytes=abc', 'bytes=5-1', 'bytes=0-0,1-1,2-2', 'bytes=-0', 'bytes=99999999999999999999-', 'items=0-1', 'bytes=', `bytes=${'0-1,'.repeat(2000)}0-1`]) {
    add(`range: ${range.slice(0, 40)}`, head('GET', `/v1/files/${existingId}/content`, [`range: ${range}`]));
  }
  add('if-none-match: junk', head('GET', `/v1/files/${existingId}/content`, ['if-none-match: "unterminated']));
  add('if-range: junk', head('GET', `/v1/files/${existingId}/content`, ['if-range: yesterday', 'range: bytes=0-1']));
  add('idempotency-key: 10 KB', post(filePart() + close, undefined, [`idempotency-key: ${'k'.repeat(10_240)}`]));
  add('idempotency-key: empty', post(filePart() + close, undefined, ['idempotency-key: ']));
  add('anthropic-beta: junk', head('GET', '/v1/files', ['anthropic-beta: \u00ff\u00fe']));

  // --- Methods, targets, protocol ---
  for (const method of ['PUT', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'G\u0000T']) {
    add(`method ${JSON.stringify(method)} on /v1/files`, head(method, '/v1/files'));
  }
  add('POST to a file id', head('POST', `/v1/files/${existingId}`, ['content-length: 0']));
  add('DELETE content', head('DELETE', `/v1/files/${existingId}/content`));
  for (const target of ['/', '/v1', '/v1/', '/v1/files/', '//v1/files', '/v1/files/../files', '/v1/files%2f', '*', 'http://evil.test/v1/files', '/v1/files#frag', '/v1/files?', '/%', '/v2/files']) {
    add(`target ${JSON.stringify(target)}`, head('GET', target));
  }
  add('upgrade to websocket', head('GET', '/v1/files', ['upgrade: websocket', 'connection: Upgrade', 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version: 13']));
  add('upgrade to h2c', head('GET', '/v1/files', ['upgrade: h2c', 'connection: Upgrade, HTTP2-Settings', 'http2-settings: AAMAAABkAARAAAAAAAIAAAAA']));
  add('HTTP/1.0 request', `GET /v1/files HTTP/1.0\r\nx-api-key: ${apiKey}\r\n\r\n`);
  add('HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', [400]);
  add('HTTP/9.9', `GET /v1/files HTTP/9.9\r\nhost: x\r\n\r\n`, [400, 505]);
  add('garbage bytes', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), [400]);
  add('request line only (HTTP/0.9 shape)', 'GET /v1/files\r\n\r\n', [400, 401]);
  add('slow pieces, then a valid request', [`GET /v1/files HTTP/1.1\r\nhost: x\r\n`, `x-api-key: ${apiKey}\r\n`, 'connection: close\r\n\r\n'], [200]);

  // --- The OpenAI dialect and resumable uploads (names start with `openai:` where the OpenAI
  // envelope is due) ---
  const postTo = (target: string, body: string | Buffer, contentType: string): Buffer => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
    return Buffer.concat([Buffer.from(head('POST', target, [`content-type: ${contentType}`, `content-length: ${bytes.length}`]), 'latin1'), bytes]);
  };
  const multipart = `multipart/form-data; boundary=${B}`;
  const purpose = (value: string): string => part('form-data; name="purpose"', value);
  add('openai: no purpose', postTo('/openai/v1/files', filePart() + close, multipart));
  add('openai: truncated file bytes', postTo('/openai/v1/files', `${purpose('batch')}--${B}\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n\r\nabc`, multipart));
  add('openai: batch purpose, binary garbage', postTo('/openai/v1/files', purpose('batch') + filePart('\u0000\u00ff{\n\n}') + close, multipart));
  add('openai: batch purpose, 5,000 empty lines', postTo('/openai/v1/files', purpose('batch') + filePart('\n'.repeat(5000) + '{}') + close, multipart));
  add('openai: expires_after seconds only', postTo('/openai/v1/files', purpose('user_data') + part('form-data; name="expires_after[seconds]"', '99999999999') + filePart() + close, multipart));
  for (const query of ['limit=-1', 'limit=1e3', 'order=DESC', 'after=%00', `after=${foreignId}`, 'purpose=%ff', 'limit=10001&order=asc']) {
    add(`openai: list ?${query}`, head('GET', `/openai/v1/files?${query}`));
  }
  add('openai: foreign file', head('GET', `/openai/v1/files/${foreignId}`), [404]);
  add('openai: foreign content', head('GET', `/openai/v1/files/${foreignId}/content`), [404]);
  add('openai: delete foreign', head('DELETE', `/openai/v1/files/${foreignId}`), [404]);
  add('openai: unknown route', head('GET', '/openai/v1/models'), [404]);
  add('openai: no key', head('GET', '/openai/v1/files', [], false), [401]);
  for (const body of ['', 'null', '[]', '{"bytes":"1"}', '{"bytes":1e300,"filename":"a","mime_type":"a/b","purpose":"user_data"}', `{"bytes":1,"filename":"${'x'.repeat(300)}","mime_type":"a/b","purpose":"user_data"}`, '{"bytes":1,"filename":"a","mime_type":"a/b","purpose":"user_data","expires_after":[]}', '{'.repeat(10_000)]) {
    add(`openai: create upload ${JSON.stringify(body.slice(0, 40))}`, postTo('/openai/v1/uploads', body, 'application/json'));
  }
  for (const id of ['upload_00000000000000000000000000', 'upload_x', '..%2F..%2Fetc', existingId]) {
    add(`openai: parts of ${id}`, postTo(`/openai/v1/uploads/${id}/parts`, part('form-data; name="data"; filename="b"', 'bytes') + close, multipart), [404]);
    add(`openai: complete ${id}`, postTo(`/openai/v1/uploads/${id}/complete`, '{"part_ids":[]}', 'application/json'), [404]);
    add(`uploads: cancel ${id}`, head('POST', `/v1/uploads/${id}/cancel`, ['content-length: 0']), [404]);
  }
  add('uploads: complete with 100,000 part ids', postTo('/v1/uploads/upload_00000000000000000000000000/complete', JSON.stringify({ part_ids: Array.from({ length: 100_000 }, () => 'part_x') }), 'application/json'), [400]);
  add('uploads: part as a text field', postTo('/v1/uploads/upload_00000000000000000000000000/parts', part('form-data; name="data"', 'no filename') + close, multipart), [400, 404]);
  add('uploads: create with text/plain', postTo('/v1/uploads', '{"bytes":1,"filename":"a"}', 'text/plain'), [400]);
  return cases;
}

/** GA page tokens (http/page-token.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileIdGenerator } from '../../src/files/file-id.js';
import { decodePageToken, encodePageToken } from '../../src/http/page-token.js';

describe('page tokens', () => {
  it('round-trip a position and refuse anything else', () => {
    const id = createFileIdGenerator().next(Date.now());
    assert.deepEqual(decodePageToken(encodePageToken({ direction: 'before', cursor: id })), { direction: 'before', cursor: id });
    for (const bad of ['page_', 'page_!!!', `page_${Buffer.from('x:file_1').toString('base64url')}`, 'nope']) {
      assert.throws(() => decodePageToken(bad), /^InvalidParameterError: page: /);
    }
  });
});

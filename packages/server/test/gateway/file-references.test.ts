/** Finding file references in a Messages request, and what each type becomes (gateway/file-references.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findFileReferences, inliningFor } from '../../src/gateway/file-references.js';

describe('file references', () => {
  it('finds file sources, the form of the Files API document, container uploads and references inside tool results, and nothing else', () => {
    const id = 'file_01M870R4ZK2XABNBNFWC9EAAT4';
    const request = {
      model: 'm',
      messages: [
        { role: 'user', content: 'a plain string' },
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'file', file_id: id } },
            { type: 'image', source: { type: 'file', file_id: 'file_img' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: id } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'file_is_just_text here' } },
            { type: 'container_upload', file_id: 'file_data' },
            { type: 'text', text: 'file_01M870R4ZK2XABNBNFWC9EAAT4' },
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'file', file_id: 'file_nested' } }] },
          ],
        },
      ],
    };
    assert.deepEqual(
      findFileReferences(request).map((r) => [r.kind, r.fileId]),
      [
        ['document', id],
        ['image', 'file_img'],
        ['document', id],
        ['container_upload', 'file_data'],
        ['image', 'file_nested'],
      ],
    );
    assert.deepEqual(findFileReferences({ messages: 'nope' }), []);
  });

  it('inlines PDFs and images as base64, text, JSON and CSV as text, and refuses the rest naming what is supported', () => {
    assert.deepEqual(inliningFor('document', 'application/pdf'), { encoding: 'base64', mediaType: 'application/pdf' });
    for (const t of ['text/plain', 'text/csv; charset=utf-8', 'text/markdown', 'Text/HTML', 'application/json', 'application/jsonl', 'application/csv']) {
      assert.deepEqual(inliningFor('document', t), { encoding: 'text' }, t);
    }
    for (const t of ['image/jpeg', 'image/png', 'image/gif', 'image/webp']) assert.deepEqual(inliningFor('image', t), { encoding: 'base64', mediaType: t });
    assert.ok('refused' in inliningFor('document', 'application/zip'));
    assert.ok('refused' in inliningFor('document', 'image/png'), 'an image belongs in an image block');
    assert.ok('refused' in inliningFor('image', 'application/pdf'));
    assert.ok('refused' in inliningFor('image', 'image/svg+xml'));
  });
});

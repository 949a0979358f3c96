/** Filenames and media types of uploads (files/filename.ts, files/mime-type.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFilename, unnamedFilename } from '../../src/files/filename.js';
import { decideMimeType } from '../../src/files/mime-type.js';

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

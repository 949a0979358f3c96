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
    // C1 controls, DEL and bidirectional overrides/isolates are refused like the C0 controls.
    for (const cp of [0x7f, 0x80, 0x85, 0x9b, 0x9f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      assert.throws(() => checkFilename(`invoice${String.fromCodePoint(cp)}fdp.exe`), new RegExp(`U\\+${hex}`), hex);
    }
    // Neighbours that are ordinary text stay accepted.
    for (const ok of ['\u00a0nbsp.txt', 'é\u00ff.txt', 'zw\u200bsp.txt', 'שלום\u2070.txt']) assert.equal(checkFilename(ok), ok);
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

/** Server-chosen file names made safe for the local file system. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeFilename } from '../src/safe-filename.js';

describe('safeFilename', () => {
  it('keeps ordinary names as they are', () => {
    assert.equal(safeFilename('report 2024.pdf', 'file_1'), 'report 2024.pdf');
    assert.equal(safeFilename('données.csv', 'file_1'), 'données.csv');
  });
  it('keeps only the last path component', () => {
    assert.equal(safeFilename('../../etc/passwd', 'file_1'), 'passwd');
    assert.equal(safeFilename('/abs/path.txt', 'file_1'), 'path.txt');
    assert.equal(safeFilename('C:\\Users\\x\\evil.exe', 'file_1'), 'evil.exe');
    assert.equal(safeFilename('dir/', 'file_1'), 'dir');
  });
  it('falls back to the id for ".", "..", empty and separator-only names', () => {
    for (const name of ['.', '..', '...', '', '/', '\\', 'a/..', '  ']) assert.equal(safeFilename(name, 'file_1'), 'file_1', JSON.stringify(name));
  });
  it('never makes a hidden file', () => {
    assert.equal(safeFilename('.bashrc', 'file_1'), '_bashrc');
    assert.equal(safeFilename('..hidden', 'file_1'), '_.hidden');
  });
  it('replaces control characters, bidirectional controls and characters Windows forbids', () => {
    assert.equal(safeFilename('a\u001b[2Jb\r\n.txt', 'file_1'), 'a_[2Jb__.txt');
    assert.equal(safeFilename('invoice\u202Efdp.exe', 'file_1'), 'invoice_fdp.exe');
    assert.equal(safeFilename('a<b>c:d"e|f?g*h', 'file_1'), 'a_b_c_d_e_f_g_h');
    assert.equal(safeFilename('x\u009b31m', 'file_1'), 'x_31m');
  });
  it('shortens long names to 200 UTF-8 bytes, keeping the extension and whole characters', () => {
    const long = `${'é'.repeat(200)}.tar.gz`;
    const safe = safeFilename(long, 'file_1');
    assert.ok(Buffer.byteLength(safe) <= 200, `${Buffer.byteLength(safe)} bytes`);
    assert.ok(safe.endsWith('.gz'));
    assert.doesNotMatch(safe, /\uFFFD/);
  });
});

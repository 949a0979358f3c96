/** Server-supplied text is printed with control characters escaped. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { printable, printJson, printTable } from '../src/output.js';

function capture(): { io: { stdout: Writable; stderr: Writable }; text: () => string } {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { io: { stdout, stderr: stdout }, text: () => text };
}

describe('printable', () => {
  it('escapes C0, DEL, C1 and bidirectional controls, and nothing else', () => {
    assert.equal(printable('a\u001b[31mred\u0007\r\n'), 'a\\x1b[31mred\\x07\\x0d\\x0a');
    assert.equal(printable('\u007f\u009b\u202e\u2066'), '\\x7f\\x9b\\u202e\\u2066');
    assert.equal(printable('plain – ünïcödé 文件.txt'), 'plain – ünïcödé 文件.txt');
  });
  it('tables and JSON carry no raw control character', () => {
    const table = capture();
    printTable(table.io, ['NAME'], [['evil\u001b]0;title\u0007\u009b2J']]);
    assert.doesNotMatch(table.text(), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.match(table.text(), /evil\\x1b\]0;title\\x07\\x9b2J/);
    const json = capture();
    const value = { filename: 'a\u001b\u009b\u202eb', n: 1 };
    printJson(json.io, value);
    assert.doesNotMatch(json.text(), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    assert.deepEqual(JSON.parse(json.text()), value, 'the same JSON value');
  });
});

/** File ids: well-formed, time-ordered, unguessable (files/file-id.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileIdGenerator, fileIdTimeMs, isFileId } from '../../src/files/file-id.js';

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

/**
 * The streamed request body (gateway/request-body.ts): its rendering must be byte-identical to
 * `JSON.stringify` of the request with the files' content inlined, whatever the chunking of the
 * blob stream, and its hash and length must be those of that rendering.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { base64Length, hashRendering, measureSlot, renderBody, SlotMarkers } from '../../src/gateway/request-body.js';
import type { FileSlot, SlotEncoding } from '../../src/gateway/request-body.js';

/** A slot over `bytes`, delivered in chunks of the given sizes (cycled). */
function slotOf(bytes: Buffer, encoding: SlotEncoding, chunkSizes: number[] = [7, 64 * 1024, 1, 200_000]): FileSlot {
  return {
    encoding,
    encodedBytes: encoding === 'base64' ? base64Length(bytes.length) : 0,
    open: async () =>
      (async function* () {
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = chunkSizes[i % chunkSizes.length] ?? 1;
          yield bytes.subarray(at, at + n);
          at += n;
        }
      })(),
  };
}

async function rendered(parts: Parameters<typeof renderBody>[0]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of renderBody(parts)) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('request body', () => {
  it('renders base64 files byte-identical to JSON.stringify, for sizes around every chunk boundary', async () => {
    for (const size of [0, 1, 2, 3, 4, 47, 48 * 1024 - 1, 48 * 1024, 48 * 1024 + 1, 1_000_003]) {
      const bytes = randomBytes(size);
      const markers = new SlotMarkers();
      const envelope = { model: 'm', messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: markers.mark(slotOf(bytes, 'base64')) } }] }] };
      const planned = markers.plan(envelope);
      const expected = JSON.stringify({ ...envelope, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: bytes.toString('base64') } }] }] });
      const body = await rendered(planned.parts);
      assert.equal(body.toString(), expected, `size ${size}`);
      assert.equal(planned.length, Buffer.byteLength(expected), `declared length, size ${size}`);
      assert.deepEqual(await hashRendering(() => renderBody(planned.parts)), { sha256: createHash('sha256').update(expected).digest('hex'), length: body.length });
    }
  });

  it('renders text files as JSON strings exactly as JSON.stringify escapes them, multi-byte characters split across chunks included', async () => {
    const samples = [
      'plain ascii',
      'quotes " and \\ backslashes, \n newlines \r\t tabs, \u0000 and \u001f controls, \u2028 separators',
      'ünïcödé ✓ 漢字 and 😀 emoji '.repeat(500),
      '',
    ];
    for (const text of samples) {
      for (const chunking of [[1], [2, 3], [64 * 1024]]) {
        const slot = slotOf(Buffer.from(text), 'text', chunking);
        await measureSlot(slot);
        const markers = new SlotMarkers();
        const planned = markers.plan({ data: markers.mark(slot), after: 'ok' });
        const expected = JSON.stringify({ data: text, after: 'ok' });
        assert.equal((await rendered(planned.parts)).toString(), expected);
        assert.equal(planned.length, Buffer.byteLength(expected));
      }
    }
  });

  it('decodes invalid UTF-8 to U+FFFD, as a whole-file decode would', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62]);
    const slot = slotOf(bytes, 'text', [1]);
    const markers = new SlotMarkers();
    const planned = markers.plan([markers.mark(slot)]);
    assert.equal((await rendered(planned.parts)).toString(), JSON.stringify([new TextDecoder().decode(bytes)]));
  });

  it('uses each slot wherever it is marked, and a caller string cannot forge a marker', async () => {
    const bytes = randomBytes(10);
    const markers = new SlotMarkers();
    const marker = markers.mark(slotOf(bytes, 'base64'));
    const forged = '\u0000cabinet-file:AAAAAAAAAAAA:0';
    const planned = markers.plan({ a: marker, b: marker, c: forged, d: '\u0000cabinet-file:' });
    const b64 = bytes.toString('base64');
    assert.equal((await rendered(planned.parts)).toString(), JSON.stringify({ a: b64, b: b64, c: forged, d: '\u0000cabinet-file:' }));
  });
});

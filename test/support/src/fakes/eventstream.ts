/**
 * AWS event-stream frames as Bedrock's InvokeModelWithResponseStream sends them, encoded with the
 * official codec (`@smithy/eventstream-codec`): `chunk` events whose JSON body carries one
 * Anthropic SSE event base64-encoded, and exception frames.
 */
import { randomBytes } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string): { type: 'string'; value: string } => ({ type: 'string', value });

/** One `chunk` event carrying one Anthropic stream event (e.g. `{type: 'message_start', …}`). */
export function encodeChunk(event: Record<string, unknown>): Uint8Array {
  // Real Bedrock pads chunks with a random `p` field (against length side channels); SDKs ignore it.
  const payload = { bytes: Buffer.from(JSON.stringify(event)).toString('base64'), p: randomBytes(6).toString('hex') };
  return codec.encode({
    headers: { ':event-type': str('chunk'), ':content-type': str('application/json'), ':message-type': str('event') },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A modelled exception frame, e.g. (`modelStreamErrorException`, `Model stream failed`). */
export function encodeException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': str(exceptionType), ':content-type': str('application/json'), ':message-type': str('exception') },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/**
 * `POST /v1/files`: multipart with one file part named `file`, and optional text parts `purpose`
 * (Cabinet's extra) and `expires_in_seconds` (GA). Parts may come in any order:
 * the bytes are staged as they stream, the record is committed once the body has ended well.
 */
import type { FilePurpose } from '@cabinet/client/wire';
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { InvalidParameterError } from '../../../errors.js';
import { truncate } from '../../../text.js';
import { readIdempotencyKey } from '../../idempotency-key.js';
import { receiveMultipartFile } from '../../multipart-file.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { toFileObject } from '../../serialize.js';

interface Fields {
  purpose?: FilePurpose;
  expiresInSeconds?: number;
}

export async function uploadFile(ctx: AuthedContext): Promise<void> {
  const service = ctx.services.files;
  const idempotencyKey = readIdempotencyKey(ctx.req);
  const fields: Fields = {};
  const staged = await receiveMultipartFile(ctx, {
    dialect: 'anthropic',
    purpose: () => fields.purpose,
    onField: (name, value) => readField(fields, name, value),
    idempotencyKey,
  });
  const { record } = await service.commit(staged, {
    purpose: fields.purpose,
    expiresInSeconds: fields.expiresInSeconds,
    idempotencyKey,
  });
  sendJson(ctx.res, 200, toFileObject(record));
}

function readField(fields: Fields, name: string, value: string): void {
  if (name === 'purpose') {
    if (fields.purpose !== undefined) throw new InvalidParameterError('purpose', 'given more than once.');
    if (value !== 'batch' && value !== 'user_data') {
      throw new InvalidParameterError('purpose', `must be \`batch\` or \`user_data\`; got ${JSON.stringify(truncate(value))}.`);
    }
    fields.purpose = value;
  } else if (name === 'expires_in_seconds') {
    if (fields.expiresInSeconds !== undefined) throw new InvalidParameterError('expires_in_seconds', 'given more than once.');
    const n = /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : Number.NaN;
    const { expiresInSecondsMin: min, expiresInSecondsMax: max } = WIRE_LIMITS;
    if (!(n >= min && n <= max)) {
      throw new InvalidParameterError('expires_in_seconds', `must be an integer from ${min} (1 hour) to ${max} (90 days); got ${JSON.stringify(truncate(value))}.`);
    }
    fields.expiresInSeconds = n;
  }
  // Other text fields are ignored, for forward compatibility with new SDK parameters.
}

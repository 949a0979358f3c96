/**
 * `POST /openai/v1/files` (OpenAI dialect, docs/openai.md): the file is staged as it streams like
 * `POST /v1/files`, then committed once `purpose` (required) and `expires_after` are known.
 */
import { InvalidParameterError } from '../../../../errors.js';
import { fileExpirySeconds, parseAnchor, parseExpirySeconds, parsePurpose } from '../../../../openai/params.js';
import { toOpenAIFile } from '../../../../openai/serialize.js';
import type { OpenAIPurpose } from '../../../../openai/wire.js';
import { readIdempotencyKey } from '../../../idempotency-key.js';
import { receiveMultipartFile } from '../../../multipart-file.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';

export async function createOpenAIFile(ctx: AuthedContext): Promise<void> {
  const idempotencyKey = readIdempotencyKey(ctx.req);
  let purpose: OpenAIPurpose | undefined;
  let anchor = false;
  let seconds: number | undefined;
  const once = (name: string, seen: boolean): void => {
    if (seen) throw new InvalidParameterError(name, 'given more than once.');
  };
  const staged = await receiveMultipartFile(ctx, {
    dialect: 'openai',
    purpose: () => purpose,
    onField: (name, value) => {
      if (name === 'purpose') {
        once('purpose', purpose !== undefined);
        purpose = parsePurpose(value);
      } else if (name === 'expires_after[anchor]') {
        once('expires_after.anchor', anchor);
        parseAnchor(value);
        anchor = true;
      } else if (name === 'expires_after[seconds]') {
        once('expires_after.seconds', seconds !== undefined);
        seconds = parseExpirySeconds(value);
      }
      // Other fields are ignored, for forward compatibility with new SDK parameters.
    },
  });
  try {
    if (purpose === undefined) throw new InvalidParameterError('purpose', `is required (one of assistants, batch, fine-tune, vision, user_data, evals).`);
    if ((seconds === undefined) !== !anchor) {
      throw new InvalidParameterError('expires_after', 'needs both anchor (`created_at`) and seconds.');
    }
  } catch (err) {
    await ctx.services.files.abort(staged);
    throw err;
  }
  const { record } = await ctx.services.files.commit(staged, {
    purpose,
    expiresInSeconds: fileExpirySeconds(purpose, seconds),
    idempotencyKey,
  });
  sendJson(ctx.res, 200, toOpenAIFile(record));
}

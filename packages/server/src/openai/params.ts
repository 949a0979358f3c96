/**
 * Parameters of the OpenAI dialect: list queries, `purpose`, `expires_after` (multipart fields
 * `expires_after[anchor]`/`expires_after[seconds]` as the SDK sends them, or a JSON object), and
 * the Uploads bodies. Bad values are a 400 naming the parameter (`error.param`).
 */
import { InvalidParameterError } from '../errors.js';
import { isFileId } from '../files/file-id.js';
import { truncate } from '../text.js';
import { OPENAI_BATCH_DEFAULT_EXPIRY_SECONDS, OPENAI_EXPIRES_AFTER, OPENAI_LIST_LIMITS, OPENAI_PURPOSES } from './wire.js';
import type { OpenAIPurpose } from './wire.js';

export interface OpenAIListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  purpose?: string;
}

export function parseListQuery(query: URLSearchParams): OpenAIListQuery {
  const one = (name: string): string | undefined => {
    const values = query.getAll(name).filter((v) => v !== '');
    if (values.length > 1) throw new InvalidParameterError(name, 'given more than once.');
    return values[0];
  };
  const rawLimit = one('limit');
  let limit: number = OPENAI_LIST_LIMITS.default;
  if (rawLimit !== undefined) {
    limit = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= OPENAI_LIST_LIMITS.min && limit <= OPENAI_LIST_LIMITS.max)) {
      throw new InvalidParameterError('limit', `must be an integer from ${OPENAI_LIST_LIMITS.min} to ${OPENAI_LIST_LIMITS.max}; got ${JSON.stringify(truncate(rawLimit))}.`);
    }
  }
  const order = one('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new InvalidParameterError('order', `must be \`asc\` or \`desc\`; got ${JSON.stringify(truncate(order))}.`);
  const after = one('after');
  if (after !== undefined && !isFileId(after)) throw new InvalidParameterError('after', `${JSON.stringify(truncate(after))} is not a file id.`);
  const purpose = one('purpose');
  return { limit, order, ...(after === undefined ? {} : { after }), ...(purpose === undefined ? {} : { purpose }) };
}

export function parsePurpose(value: unknown): OpenAIPurpose {
  const found = OPENAI_PURPOSES.find((p) => p === value);
  if (found === undefined) {
    throw new InvalidParameterError('purpose', `must be one of ${OPENAI_PURPOSES.join(', ')}; got ${JSON.stringify(truncate(String(value)))}.`);
  }
  return found;
}

/** `expires_after.seconds` checked against OpenAI's bounds. */
export function parseExpirySeconds(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isInteger(n) && n >= OPENAI_EXPIRES_AFTER.minSeconds && n <= OPENAI_EXPIRES_AFTER.maxSeconds)) {
    throw new InvalidParameterError(
      'expires_after.seconds',
      `must be an integer from ${OPENAI_EXPIRES_AFTER.minSeconds} (1 hour) to ${OPENAI_EXPIRES_AFTER.maxSeconds} (30 days); got ${JSON.stringify(truncate(String(value)))}.`,
    );
  }
  return n;
}

export function parseAnchor(value: unknown): void {
  if (value !== 'created_at') throw new InvalidParameterError('expires_after.anchor', `must be \`created_at\`; got ${JSON.stringify(truncate(String(value)))}.`);
}

/** `expires_after` as a JSON object (Uploads): undefined when absent. */
export function parseExpiresAfter(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidParameterError('expires_after', 'must be an object {anchor, seconds}.');
  const { anchor, seconds } = value as Record<string, unknown>;
  parseAnchor(anchor);
  return parseExpirySeconds(seconds);
}

/** The file's lifetime: as given, else OpenAI's default (30 days for `batch`, none otherwise). */
export function fileExpirySeconds(purpose: OpenAIPurpose, given: number | undefined): number | undefined {
  return given ?? (purpose === 'batch' ? OPENAI_BATCH_DEFAULT_EXPIRY_SECONDS : undefined);
}

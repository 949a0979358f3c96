/** The `status` of a key on the wire: `active`, `inactive` or `archived` (Anthropic's names). */
import { InvalidParameterError } from '../../../../errors.js';
import type { ApiKeyStatus } from '../../../../storage/records.js';

export const API_KEY_STATUSES: readonly ApiKeyStatus[] = ['active', 'inactive', 'archived'];

export function parseStatus(parameter: string, raw: unknown): ApiKeyStatus {
  const found = API_KEY_STATUSES.find((s) => s === raw);
  if (found === undefined) throw new InvalidParameterError(parameter, `must be one of ${API_KEY_STATUSES.join(', ')}.`);
  return found;
}

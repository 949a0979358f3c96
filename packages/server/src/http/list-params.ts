/**
 * `GET /v1/files` query parameters, both dialects (docs/wire.md §4.1): beta `limit`/`before_id`/`after_id`,
 * GA `limit`/`page`/`ids[]`. Conflicting combinations and bad values are a 400 naming the parameter;
 * unknown parameters (`beta=true`, telemetry) are ignored.
 *
 * Combinations the official SDKs send (docs/wire.md §4.3): `page` with the cursors the walk began
 * with (the GA paginators re-send the original query plus `page`): the token continues the walk and
 * the cursors are ignored. `after_id` with `before_id` (the SDKs' own tests; the beta paginators
 * keep `after_id` while moving `before_id`): the window strictly between them, paged from
 * `before_id` towards `after_id`, so that walk ends where the window does.
 */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { InvalidParameterError } from '../errors.js';
import { isFileId } from '../files/file-id.js';
import { decodePageToken } from './page-token.js';

export type ListRequest =
  | { kind: 'ids'; ids: string[] }
  | {
      kind: 'page';
      limit: number;
      direction: 'after' | 'before';
      cursor?: string;
      /** Far end of a window (exclusive): newer files than this are left out going `before`. */
      bound?: string;
    }
  /** `scope_id` names a Managed Agents session; Cabinet files belong to none, so nothing matches. */
  | { kind: 'empty' };

const SCALARS = ['limit', 'after_id', 'before_id', 'page', 'scope_id'] as const;
type Scalar = (typeof SCALARS)[number];

export function parseListParams(query: URLSearchParams): ListRequest {
  const one = scalars(query);
  const ids = idsParam(query);

  if (ids !== undefined) {
    for (const other of ['page', 'limit', 'after_id', 'before_id'] as const) {
      if (one[other] !== undefined) throw new InvalidParameterError('ids[]', `cannot be combined with ${other}.`);
    }
    if (ids.length > WIRE_LIMITS.maxIds) {
      throw new InvalidParameterError('ids[]', `at most ${WIRE_LIMITS.maxIds} ids may be given; got ${ids.length}.`);
    }
  }
  const limit = parseLimit(one.limit);
  if (one.scope_id !== undefined) return { kind: 'empty' };
  if (ids !== undefined) return { kind: 'ids', ids: ids.filter(isFileId) };
  if (one.page !== undefined) return { kind: 'page', limit, ...decodePageToken(one.page) };
  if (one.before_id !== undefined && one.after_id !== undefined) {
    return { kind: 'page', limit, direction: 'before', cursor: cursorId('before_id', one.before_id), bound: cursorId('after_id', one.after_id) };
  }
  if (one.before_id !== undefined) return { kind: 'page', limit, direction: 'before', cursor: cursorId('before_id', one.before_id) };
  if (one.after_id !== undefined) return { kind: 'page', limit, direction: 'after', cursor: cursorId('after_id', one.after_id) };
  return { kind: 'page', limit, direction: 'after' };
}

function scalars(query: URLSearchParams): Partial<Record<Scalar, string>> {
  const out: Partial<Record<Scalar, string>> = {};
  for (const name of SCALARS) {
    // Empty values are treated as absent: some clients serialise `null` as `name=`.
    const values = query.getAll(name).filter((v) => v !== '');
    if (values.length > 1) throw new InvalidParameterError(name, 'given more than once.');
    if (values[0] !== undefined) out[name] = values[0];
  }
  return out;
}

/** `ids[]=a&ids[]=b` (what both SDKs send), also `ids=a` and `ids[0]=a`; de-duplicated. */
function idsParam(query: URLSearchParams): string[] | undefined {
  let found = false;
  const ids = new Set<string>();
  for (const [name, value] of query) {
    if (name === 'ids[]' || name === 'ids' || /^ids\[\d+\]$/.test(name)) {
      found = true;
      if (value !== '') ids.add(value);
    }
  }
  return found ? [...ids] : undefined;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return WIRE_LIMITS.listLimitDefault;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= WIRE_LIMITS.listLimitMin && n <= WIRE_LIMITS.listLimitMax)) {
    throw new InvalidParameterError(
      'limit',
      `must be an integer from ${WIRE_LIMITS.listLimitMin} to ${WIRE_LIMITS.listLimitMax}; got ${JSON.stringify(raw.slice(0, 32))}.`,
    );
  }
  return n;
}

function cursorId(name: 'after_id' | 'before_id', value: string): string {
  if (!isFileId(value)) {
    throw new InvalidParameterError(name, `${JSON.stringify(value.slice(0, 64))} is not a file id.`);
  }
  return value;
}

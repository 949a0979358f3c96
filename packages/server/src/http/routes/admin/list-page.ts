/**
 * The Admin API's lists: the beta envelope `{data, has_more, first_id, last_id}`, newest first,
 * with `limit` (1–1000, default 20), `after_id` (older than that item) and `before_id` (newer than
 * that item; both: the items between them), as Anthropic's Admin API and the beta Files API page.
 * Workspaces and keys are few, so a page is cut from the whole list; a cursor must name an item
 * that exists (it may be filtered out of this list, e.g. archived since).
 */
import type { AdminListPage } from '@cabinet/client/wire';
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { InvalidParameterError } from '../../../errors.js';
import { truncate } from '../../../text.js';

export interface AdminListParams {
  limit: number;
  afterId?: string;
  beforeId?: string;
}

/** Something listed: ordered by creation time, then id. */
export interface Listed {
  id: string;
  createdAtMs: number;
}

export function parseAdminListParams(query: URLSearchParams): AdminListParams {
  const limitRaw = single(query, 'limit');
  const limit = limitRaw === undefined ? WIRE_LIMITS.listLimitDefault : /^\d{1,7}$/.test(limitRaw) ? Number(limitRaw) : Number.NaN;
  if (!(limit >= WIRE_LIMITS.listLimitMin && limit <= WIRE_LIMITS.listLimitMax)) {
    throw new InvalidParameterError('limit', `must be an integer from ${WIRE_LIMITS.listLimitMin} to ${WIRE_LIMITS.listLimitMax}; got ${JSON.stringify(truncate(limitRaw ?? ''))}.`);
  }
  const afterId = single(query, 'after_id');
  const beforeId = single(query, 'before_id');
  return { limit, ...(afterId === undefined ? {} : { afterId }), ...(beforeId === undefined ? {} : { beforeId }) };
}

/** A query parameter given at most once; empty values count as absent (some clients send `name=` for null). */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name).filter((v) => v !== '');
  if (values.length > 1) throw new InvalidParameterError(name, 'given more than once.');
  return values[0];
}

/**
 * One page of `items` (newest first). `find` resolves a cursor id to its item, wherever it is.
 * @throws InvalidParameterError for a cursor that names nothing.
 */
export async function pageOf<T extends Listed, W>(
  items: readonly T[],
  params: AdminListParams,
  find: (id: string) => Promise<T | undefined>,
  toWire: (item: T) => W,
): Promise<AdminListPage<W>> {
  const cursor = async (name: 'after_id' | 'before_id', id: string | undefined): Promise<T | undefined> => {
    if (id === undefined) return undefined;
    const found = await find(id);
    if (!found) throw new InvalidParameterError(name, `${JSON.stringify(truncate(id))} names nothing in this list.`);
    return found;
  };
  const after = await cursor('after_id', params.afterId);
  const before = await cursor('before_id', params.beforeId);
  const candidates = items.filter((item) => (after === undefined || older(item, after)) && (before === undefined || older(before, item)));
  // Going towards newer items (before_id), the page is the one right next to the cursor.
  const page = before === undefined ? candidates.slice(0, params.limit) : candidates.slice(Math.max(0, candidates.length - params.limit));
  return {
    data: page.map(toWire),
    has_more: candidates.length > page.length,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
  };
}

function older(a: Listed, b: Listed): boolean {
  return a.createdAtMs < b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.id < b.id);
}

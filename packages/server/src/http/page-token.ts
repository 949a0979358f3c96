/**
 * GA `next_page` / `page` tokens: "Opaque page cursor … Prefixed `page_`" (docs/wire.md §2.3). A token holds
 * the direction and the boundary id, the same position `last_id` (or `first_id`, going backwards)
 * gives beta clients, so both dialects walk the same sequence.
 */
import { InvalidParameterError } from '../errors.js';
import { isFileId } from '../files/file-id.js';

export interface PagePosition {
  direction: 'after' | 'before';
  cursor: string;
  /** The far end of an `after_id` + `before_id` window, carried so the walk stays inside it. */
  bound?: string;
}

const PREFIX = 'page_';

export function encodePageToken(position: PagePosition): string {
  const raw = `${position.direction === 'after' ? 'a' : 'b'}:${position.cursor}${position.bound === undefined ? '' : `:${position.bound}`}`;
  return PREFIX + Buffer.from(raw, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PagePosition {
  if (!token.startsWith(PREFIX)) throw bad();
  const raw = Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8');
  const [dir, cursor = '', bound, ...rest] = raw.split(':');
  if ((dir !== 'a' && dir !== 'b') || !isFileId(cursor) || (bound !== undefined && !isFileId(bound)) || rest.length > 0) throw bad();
  const direction = dir === 'a' ? 'after' : 'before';
  return bound === undefined ? { direction, cursor } : { direction, cursor, bound };
}

function bad(): InvalidParameterError {
  return new InvalidParameterError('page', 'not a page token from this server (use the `next_page` of a previous response).');
}

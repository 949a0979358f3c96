/** `GET /openai/v1/files`: `after`, `limit` (1–10,000), `order` (by creation), `purpose`. */
import { parseListQuery } from '../../../../openai/params.js';
import { openaiPurposeFilter, toOpenAIList } from '../../../../openai/serialize.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';

export async function listOpenAIFiles({ res, query, services, principal }: AuthedContext): Promise<void> {
  const q = parseListQuery(query);
  // Ids sort by creation time: `desc` walks older ids (`after` a cursor), `asc` newer ones.
  const result = await services.files.list(principal.workspaceId, {
    limit: q.limit,
    direction: q.order === 'desc' ? 'after' : 'before',
    ...(q.after === undefined ? {} : { cursor: q.after }),
    ...(q.purpose === undefined ? {} : { purpose: openaiPurposeFilter(q.purpose) }),
  });
  // The store answers newest first whatever the direction.
  const records = q.order === 'asc' ? [...result.records].reverse() : result.records;
  sendJson(res, 200, toOpenAIList(records, result.hasMore));
}

/** `GET /v1/files`: one page, newest first, in either SDK dialect (beta cursors or GA page tokens). */
import type { FileListPage } from '@cabinet/client/wire';
import { parseListParams } from '../../list-params.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { toListPage } from '../../serialize.js';

export async function listFiles({ res, query, services, principal }: AuthedContext): Promise<void> {
  const request = parseListParams(query);
  const { workspaceId } = principal;
  let page: FileListPage;
  if (request.kind === 'empty') {
    page = toListPage([], false, 'after');
  } else if (request.kind === 'ids') {
    // GA `ids[]`: always one page, `next_page: null`; ids not visible are silently omitted (docs/wire.md).
    page = toListPage(await services.files.getMany(workspaceId, request.ids), false, 'after');
  } else {
    const { limit, direction, bound } = request;
    const result = await services.files.list(workspaceId, {
      limit,
      direction,
      ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
      ...(bound === undefined ? {} : { bound }),
    });
    page = toListPage(result.records, result.hasMore, direction, bound);
  }
  sendJson(res, 200, page);
}

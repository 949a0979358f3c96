/**
 * `anthropic-workspace-id` (docs/wire.md §1.2): the current official SDKs send it from the optional
 * `workspace_id` argument of every files call. Anthropic's rule, which Cabinet follows: the header
 * is "only needed for credentials that can act on more than one Workspace. A credential that belongs
 * to a specific Workspace may omit it; if sent, it must match that Workspace."
 *
 * An ordinary key is bound to one workspace, so the header is either absent, equal to the key's
 * workspace, or refused with 403 `permission_error` — never another workspace's data. An admin key
 * may act on every workspace (`Principal.workspaces = 'any'`): the header selects one of them;
 * without the header it acts on its own workspace.
 */
import { ForbiddenError } from '../errors.js';
import { truncate } from '../text.js';
import type { Principal } from './authenticator.js';

export const WORKSPACE_HEADER = 'anthropic-workspace-id';

/** The principal acting on the workspace the request selects. @throws ForbiddenError */
export function selectWorkspace(principal: Principal, header: string | string[] | undefined): Principal {
  const requested = (Array.isArray(header) ? header[0] : header)?.trim();
  if (requested === undefined || requested === '' || requested === principal.workspaceId) return principal;
  const { workspaces } = principal;
  if (workspaces === 'any' || workspaces?.includes(requested)) return { ...principal, workspaceId: requested };
  throw new ForbiddenError(
    `This API key belongs to workspace \`${principal.workspaceId}\`, but the ${WORKSPACE_HEADER} header asks for ` +
      `\`${truncate(requested)}\`. Omit the header (workspace_id) or send the key's own workspace.`,
  );
}

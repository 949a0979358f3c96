/**
 * API keys: `cab_` + 256 random bits (base64url). Only a SHA-256 of the secret is stored; a key
 * this random needs no slow KDF (there is nothing to brute-force), and a fast hash keeps
 * authentication to one indexed lookup per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyStore } from '../storage/api-key-store.js';
import type { ApiKeyRecord } from '../storage/records.js';
import { createFileIdGenerator } from '../files/file-id.js';

export const DEFAULT_WORKSPACE = 'default';
const KEY_PREFIX = 'cab_';
const WORKSPACE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const keyIds = createFileIdGenerator();

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function isValidWorkspaceName(name: string): boolean {
  return WORKSPACE_NAME.test(name);
}

/** The first characters of a secret, kept to help a person tell keys apart (`cab_` + 8). */
export function partialKeyHint(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 8);
}

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** Shown once; it cannot be recovered from the store. */
  secret: string;
}

/**
 * Makes a key and stores its hash (and its workspace, if new).
 * @throws RangeError for a workspace name outside `[A-Za-z0-9_-]{1,64}`; WorkspaceArchivedError.
 */
export async function createApiKey(
  keys: ApiKeyStore,
  options: { workspaceId?: string | undefined; name?: string | null | undefined; admin?: boolean | undefined; nowMs?: number | undefined } = {},
): Promise<CreatedApiKey> {
  const workspaceId = options.workspaceId ?? DEFAULT_WORKSPACE;
  if (!isValidWorkspaceName(workspaceId)) {
    throw new RangeError(`workspace name must be 1-64 characters of A-Z a-z 0-9 _ -: ${JSON.stringify(workspaceId)}`);
  }
  const nowMs = options.nowMs ?? Date.now();
  const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    id: `key_${keyIds.next(nowMs).slice('file_'.length)}`,
    workspaceId,
    keyHash: hashApiKey(secret),
    prefix: partialKeyHint(secret),
    name: options.name ?? null,
    createdAtMs: nowMs,
    status: 'active',
    archivedAtMs: null,
    admin: options.admin ?? false,
  };
  await keys.insertApiKey(record);
  return { record, secret };
}

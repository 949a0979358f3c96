/** `anthropic-workspace-id` selects or confirms the workspace (auth/workspace-selection.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectWorkspace } from '../../src/auth/workspace-selection.js';
import { ForbiddenError } from '../../src/errors.js';

describe('workspace selection', () => {
  const bound = { workspaceId: 'team-a', keyId: 'key_1' };
  it('a key bound to one workspace: the header may be absent or name it, nothing else', () => {
    assert.deepEqual(selectWorkspace(bound, undefined), bound);
    assert.deepEqual(selectWorkspace(bound, ''), bound);
    assert.deepEqual(selectWorkspace(bound, 'team-a'), bound);
    assert.deepEqual(selectWorkspace(bound, ['team-a', 'team-b']), bound);
    assert.throws(() => selectWorkspace(bound, 'team-b'), (err: unknown) => err instanceof ForbiddenError && /team-a/.test(err.message) && /team-b/.test(err.message));
    assert.throws(() => selectWorkspace(bound, 'TEAM-A'), ForbiddenError);
  });
  it('a key that may act on several workspaces selects one with the header', () => {
    const admin = { workspaceId: 'default', keyId: 'key_2', workspaces: ['team-a', 'team-b'] as const };
    assert.equal(selectWorkspace(admin, undefined).workspaceId, 'default');
    assert.equal(selectWorkspace(admin, 'team-b').workspaceId, 'team-b');
    assert.throws(() => selectWorkspace(admin, 'team-c'), ForbiddenError);
    assert.equal(selectWorkspace({ ...admin, workspaces: 'any' }, 'team-c').workspaceId, 'team-c');
  });
});

/**
 * The Admin page (admin keys): workspaces with their usage against the quota, and each
 * workspace's API keys — create (the secret is shown once, in a dialog, and then forgotten),
 * deactivate / activate, and revoke (archive: final).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiKeyObject, ApiKeyStatus, CreatedApiKeyObject, WorkspaceObject, WorkspaceUsageObject } from '@cabinet/client/wire';
import type { Api } from './api.js';
import { formatBytes, formatTime } from './format.js';
import { describeError } from './messages.js';
import { Modal } from './modal.js';

interface AdminViewProps {
  api: Api;
  onAuthFailure(err: unknown): boolean;
  /** Show a workspace's files on the Files page. */
  onBrowse(workspaceId: string): void;
}

/** Every page of an Admin API list (a console shows them all; there are rarely more than a few hundred). */
async function all<T extends { id: string }>(fetchPage: (afterId?: string) => Promise<{ data: T[]; has_more: boolean; last_id: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    out.push(...page.data);
    if (!page.has_more || page.last_id === null) return out;
    after = page.last_id;
  }
}

type Confirm = { kind: 'archive-workspace'; workspace: WorkspaceObject } | { kind: 'revoke-key'; key: ApiKeyObject };

export function AdminView({ api, onAuthFailure, onBrowse }: AdminViewProps) {
  const [workspaces, setWorkspaces] = useState<WorkspaceObject[] | undefined>(undefined);
  const [usage, setUsage] = useState<Readonly<Record<string, WorkspaceUsageObject>>>({});
  const [showArchived, setShowArchived] = useState(false);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState('');
  const [newWorkspace, setNewWorkspace] = useState('');
  const [confirm, setConfirm] = useState<Confirm | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const fail = useCallback((err: unknown, subject?: string) => !onAuthFailure(err) && setError(describeError(err, subject)), [onAuthFailure]);

  useEffect(() => {
    let current = true;
    all((after) => api.listWorkspaces(showArchived, after))
      .then(async (list) => {
        if (!current) return;
        setWorkspaces(list);
        setChosen((c) => c ?? list[0]?.id);
        const entries = await Promise.all(list.map(async (w) => [w.id, await api.workspaceUsage(w.id)] as const));
        if (current) setUsage(Object.fromEntries(entries));
      })
      .catch((err: unknown) => current && fail(err, 'Listing workspaces'));
    return () => {
      current = false;
    };
  }, [api, showArchived, reloads, fail]);

  const createWorkspace = async (event: Event): Promise<void> => {
    event.preventDefault();
    const name = newWorkspace.trim();
    if (name === '') return;
    setError(undefined);
    try {
      const created = await api.createWorkspace(name);
      setNewWorkspace('');
      setStatus(`Created workspace ${created.id}.`);
      setChosen(created.id);
      setReloads((n) => n + 1);
    } catch (err) {
      fail(err, `Creating workspace ${name}`);
    }
  };

  const runConfirmed = async (): Promise<void> => {
    if (!confirm) return;
    setError(undefined);
    try {
      if (confirm.kind === 'archive-workspace') {
        await api.archiveWorkspace(confirm.workspace.id);
        setStatus(`Archived workspace ${confirm.workspace.id}; its keys no longer work.`);
      } else {
        await api.updateApiKey(confirm.key.id, { status: 'archived' });
        setStatus(`Revoked key ${confirm.key.name ?? confirm.key.id}.`);
      }
    } catch (err) {
      fail(err);
    }
    setConfirm(undefined);
    setReloads((n) => n + 1);
  };

  return (
    <div class="admin">
      <h1 ref={headingRef} tabIndex={-1}>
        Admin
      </h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="status" role="status">
        {status}
      </p>

      <section aria-labelledby="workspaces-heading">
        <div class="section-head">
          <h2 id="workspaces-heading">Workspaces</h2>
          <label class="inline">
            <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.currentTarget.checked)} /> Show archived
          </label>
        </div>
        <form class="inline-form" onSubmit={createWorkspace}>
          <label for="new-workspace">New workspace</label>
          <input
            id="new-workspace"
            value={newWorkspace}
            onInput={(e) => setNewWorkspace(e.currentTarget.value)}
            pattern="[A-Za-z0-9_\-]{1,64}"
            title="1–64 letters, digits, _ or -"
            placeholder="team-a"
            required
          />
          <button type="submit">Create workspace</button>
        </form>
        <table class="admin-table" aria-labelledby="workspaces-heading">
          <thead>
            <tr>
              <th scope="col">Workspace</th>
              <th scope="col">Usage</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(workspaces ?? []).map((w) => {
              const u = usage[w.id];
              return (
                <tr key={w.id} data-workspace-id={w.id} class={w.id === chosen ? 'selected' : undefined}>
                  <td data-label="Workspace">
                    <strong>{w.name}</strong>
                    {w.archived_at && <span class="badge">archived</span>}
                  </td>
                  <td data-label="Usage" class="usage">
                    {u ? (
                      <>
                        <meter min={0} max={u.quota_bytes} value={u.used_bytes + u.reserved_bytes} aria-label={`Storage used by ${w.name}`} />
                        <span>
                          {formatBytes(u.used_bytes)} of {formatBytes(u.quota_bytes)} · {u.file_count} {u.file_count === 1 ? 'file' : 'files'}
                          {u.reserved_bytes > 0 && ` · ${formatBytes(u.reserved_bytes)} uploading`}
                        </span>
                      </>
                    ) : (
                      <span class="muted">…</span>
                    )}
                  </td>
                  <td data-label="Created">{formatTime(w.created_at)}</td>
                  <td class="actions-cell">
                    <button type="button" class="secondary small" aria-pressed={w.id === chosen} onClick={() => setChosen(w.id)}>
                      Keys<span class="visually-hidden"> of {w.name}</span>
                    </button>
                    <button type="button" class="secondary small" onClick={() => onBrowse(w.id)}>
                      Files<span class="visually-hidden"> of {w.name}</span>
                    </button>
                    {!w.archived_at && (
                      <button type="button" class="danger small" onClick={() => setConfirm({ kind: 'archive-workspace', workspace: w })}>
                        Archive…<span class="visually-hidden"> {w.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {workspaces === undefined && <p class="muted">Loading…</p>}
      </section>

      {chosen !== undefined && (
        <KeysSection
          key={`${chosen}/${reloads}`}
          api={api}
          workspace={workspaces?.find((w) => w.id === chosen)}
          workspaceId={chosen}
          fail={fail}
          onStatus={setStatus}
          onRevoke={(key) => setConfirm({ kind: 'revoke-key', key })}
        />
      )}

      {confirm && (
        <Modal
          title={confirm.kind === 'archive-workspace' ? `Archive workspace ${confirm.workspace.name}?` : `Revoke key ${confirm.key.name ?? confirm.key.partial_key_hint}?`}
          onClose={() => setConfirm(undefined)}
          fallbackFocus={() => headingRef.current}
          class="confirm"
        >
          <p>
            {confirm.kind === 'archive-workspace'
              ? 'Its keys stop working at once. Its files stay until they are deleted. This cannot be undone.'
              : 'Requests with this key are refused from now on. This cannot be undone (deactivate a key instead to switch it back on later).'}
          </p>
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setConfirm(undefined)} autoFocus>
              Cancel
            </button>
            <button type="button" class="danger" onClick={runConfirmed}>
              {confirm.kind === 'archive-workspace' ? 'Archive' : 'Revoke'}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

interface KeysSectionProps {
  api: Api;
  workspace: WorkspaceObject | undefined;
  workspaceId: string;
  fail(err: unknown, subject?: string): void;
  onStatus(text: string): void;
  onRevoke(key: ApiKeyObject): void;
}

function KeysSection({ api, workspace, workspaceId, fail, onStatus, onRevoke }: KeysSectionProps) {
  const [keys, setKeys] = useState<ApiKeyObject[] | undefined>(undefined);
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [created, setCreated] = useState<CreatedApiKeyObject | undefined>(undefined);
  const [copied, setCopied] = useState(false);
  const [reloads, setReloads] = useState(0);
  const sectionRef = useRef<HTMLElement>(null);

  useEffect(() => {
    let current = true;
    all((after) => api.listApiKeys(workspaceId, after))
      .then((list) => current && setKeys(list))
      .catch((err: unknown) => current && fail(err, 'Listing keys'));
    return () => {
      current = false;
    };
  }, [api, workspaceId, reloads, fail]);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    try {
      const key = await api.createApiKey({ workspace_id: workspaceId, ...(name.trim() ? { name: name.trim() } : {}), ...(admin ? { admin: true } : {}) });
      setName('');
      setAdmin(false);
      setCopied(false);
      setCreated(key);
      setReloads((n) => n + 1);
    } catch (err) {
      fail(err, 'Creating a key');
    }
  };

  const setStatus = async (key: ApiKeyObject, status: ApiKeyStatus): Promise<void> => {
    try {
      await api.updateApiKey(key.id, { status });
      onStatus(`Key ${key.name ?? key.id} is now ${status}.`);
      setReloads((n) => n + 1);
    } catch (err) {
      fail(err);
    }
  };

  const archived = workspace?.archived_at != null;
  return (
    <section aria-labelledby="keys-heading" ref={sectionRef}>
      <h2 id="keys-heading">Keys of {workspaceId}</h2>
      {!archived && (
        <form class="inline-form" onSubmit={create}>
          <label for="new-key-name">Key name</label>
          <input id="new-key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="laptop" maxLength={200} />
          <label class="inline">
            <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin key
          </label>
          <button type="submit">Create key</button>
        </form>
      )}
      <table class="admin-table" aria-labelledby="keys-heading">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(keys ?? []).map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <td data-label="Name">
                {key.name ?? <span class="muted">(no name)</span>}
                {key.admin && <span class="badge">admin</span>}
              </td>
              <td data-label="Key" class="mono">
                {key.partial_key_hint} <span class="muted">{key.id}</span>
              </td>
              <td data-label="Status">
                <span class={`badge ${key.status}`}>{key.status}</span>
              </td>
              <td data-label="Created">{formatTime(key.created_at)}</td>
              <td class="actions-cell">
                {key.status === 'active' && (
                  <button type="button" class="secondary small" onClick={() => setStatus(key, 'inactive')}>
                    Deactivate<span class="visually-hidden"> {key.name ?? key.id}</span>
                  </button>
                )}
                {key.status === 'inactive' && (
                  <button type="button" class="secondary small" onClick={() => setStatus(key, 'active')}>
                    Activate<span class="visually-hidden"> {key.name ?? key.id}</span>
                  </button>
                )}
                {key.status !== 'archived' && (
                  <button type="button" class="danger small" onClick={() => onRevoke(key)}>
                    Revoke…<span class="visually-hidden"> {key.name ?? key.id}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys !== undefined && keys.length === 0 && <p class="empty">No stored keys. (Keys from CABINET_API_KEYS and CABINET_ADMIN_KEYS are not listed.)</p>}

      {created && (
        <Modal title="Your new key" onClose={() => setCreated(undefined)} fallbackFocus={() => sectionRef.current?.querySelector('h2') ?? null} class="secret">
          <p>
            Copy it now: <strong>it is shown only this once</strong>. Cabinet keeps only its hash.
          </p>
          <label for="new-secret">Key for {created.workspace_id}{created.name ? ` (${created.name})` : ''}</label>
          <input id="new-secret" class="mono" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} />
          <div class="actions">
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(created.key);
                  setCopied(true);
                } catch {
                  document.getElementById('new-secret')?.focus();
                }
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" onClick={() => setCreated(undefined)} autoFocus>
              I have saved it
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

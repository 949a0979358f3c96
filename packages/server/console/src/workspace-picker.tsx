/** For an admin key: which workspace's files the Files page shows (sent as `anthropic-workspace-id`). */
import type { WorkspaceObject } from '@cabinet/client/wire';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

interface WorkspacePickerProps {
  api: Api;
  value: string | undefined;
  onChange(id: string | undefined): void;
  onError(err: unknown, subject?: string): void;
}

export function WorkspacePicker({ api, value, onChange, onError }: WorkspacePickerProps) {
  const [workspaces, setWorkspaces] = useState<WorkspaceObject[]>([]);
  useEffect(() => {
    api.listWorkspaces(false).then(
      (page) => setWorkspaces(page.data),
      (err: unknown) => onError(err, 'Listing workspaces'),
    );
  }, []);
  const ids = new Set(workspaces.map((w) => w.id));
  if (value !== undefined) ids.add(value);
  // No header acts on `default`: the empty choice.
  ids.delete('default');
  return (
    <label class="workspace-picker">
      Workspace{' '}
      <select value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}>
        <option value="">default</option>
        {[...ids].sort().map((id) => (
          <option value={id}>{id}</option>
        ))}
      </select>
    </label>
  );
}

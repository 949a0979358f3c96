/** Cabinet under test: the real server binary on the embedded default (SQLite + local disk). */
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';

export type Cabinet = ServerProcess;

export function startCabinet(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<Cabinet> {
  return spawnServer({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    env: {
      // Room for the 1 GiB file and for every run's files.
      CABINET_MAX_FILE_BYTES: '2GiB',
      CABINET_QUOTA_BYTES: '4096GiB',
      CABINET_LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
}

/** Deletes a file through the API (between timed runs: each run writes into freed space). */
export async function deleteFile(cabinet: Cabinet, id: string): Promise<void> {
  const res = await fetch(`${cabinet.url}/v1/files/${id}`, { method: 'DELETE', headers: { 'x-api-key': cabinet.apiKey } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`DELETE ${id}: ${res.status}`);
}

export function authHeaders(cabinet: Cabinet): Record<string, string> {
  return { 'x-api-key': cabinet.apiKey, 'anthropic-version': '2023-06-01' };
}

/**
 * Cabinet under test: the real server binary, on the embedded default (SQLite + local disk) or on
 * PostgreSQL + S3 (the bench's Ceph RGW).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import type { Backend } from './services.js';

export type Cabinet = ServerProcess;

export function startCabinet(options: { dataDir?: string; env?: Record<string, string>; apiKey?: string } = {}): Promise<Cabinet> {
  return spawnServer({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
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

/** Where a Cabinet on PostgreSQL + S3 keeps its data: a database of its own and a bucket (instances of one deployment share them). */
export interface ScaleOutStore {
  databaseUrl: string;
  bucket: string;
}

/** A new, empty database on the bench's PostgreSQL and a new bucket name for it. */
export async function newScaleOutStore(backend: Backend): Promise<ScaleOutStore> {
  const name = `cabinet_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const client = new pg.Client({ connectionString: backend.databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(backend.databaseUrl);
  url.pathname = `/${name}`;
  return { databaseUrl: url.toString(), bucket: name.replace(/_/g, '-') };
}

/** Cabinet on PostgreSQL + Ceph RGW, as a scale-out deployment runs it (every instance of one store shares `apiKey`). */
export async function startScaleOutCabinet(
  backend: Backend,
  store: ScaleOutStore,
  options: { apiKey?: string; env?: Record<string, string> } = {},
): Promise<Cabinet> {
  const cabinet = await startCabinet({
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    env: {
      ...options.env,
      CABINET_DATABASE_URL: store.databaseUrl,
      CABINET_S3_BUCKET: store.bucket,
      CABINET_S3_ENDPOINT: backend.s3.endpoint,
      CABINET_S3_REGION: backend.s3.region,
      CABINET_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: backend.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: backend.s3.secretAccessKey,
    },
  });
  if (cabinet.storage !== 'postgres+s3') {
    await cabinet.stop();
    throw new Error(`Cabinet started on ${cabinet.storage}, not postgres+s3`);
  }
  return cabinet;
}

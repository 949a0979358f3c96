/**
 * File inserts commit first and flush after (PostgresDatabase.commitCallThenFlush): the promise of
 * `insertFile`/`insertFileWithBlob` must still mean durable. A PostgreSQL server of this test's own
 * takes concurrent inserts into one workspace, and the moment they have all resolved every one of
 * its processes is killed (`kill -9`: WAL still in its shared buffers is lost, as after a crash);
 * after crash recovery every acknowledged record and its bytes must be there. Without the flush,
 * commits made with `synchronous_commit` off wait up to `wal_writer_delay` (200 ms) in those
 * buffers, and the newest of them are lost.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import pg from 'pg';
import { createFileIdGenerator } from '../../../src/files/file-id.js';
import { PostgresMetadataBackend } from '../../../src/storage/postgres/backend.js';
import type { FileRecord } from '../../../src/storage/records.js';
import { binaryFileRecord } from '../../../src/testing/file-record.js';

const BIN = ((): string => {
  try {
    return execFileSync('pg_config', ['--bindir']).toString().trim();
  } catch {
    const versions = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin']).toString().trim().split('\n');
    return versions[versions.length - 1] ?? '';
  }
})();
const asPostgres = (command: string, args: string[]): void => {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'ignore' });
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The processes whose parent is `pid` (from /proc: no dependency on procps). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** A PostgreSQL cluster of this test's own (the shared one must not be killed), fsync on. */
async function privatePostgres(): Promise<{ url: string; start(): void; crash(): void; stop(): void }> {
  const dir = await mkdtemp(join(tmpdir(), 'cabinet-pg-crash-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgres(join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale']);
  const start = (): void =>
    asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'pg.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    crash: () => {
      // The postmaster stopped first, so it cannot restart its children before it dies too.
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGSTOP');
      for (const child of childrenOf(postmaster)) process.kill(child, 'SIGKILL');
      process.kill(postmaster, 'SIGKILL');
      execFileSync('bash', ['-c', `while kill -0 ${postmaster} 2>/dev/null; do sleep 0.05; done`]);
    },
    stop: () => {
      try {
        asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already down.
      }
      execFileSync('rm', ['-rf', dir]);
    },
  };
}

const cleanups: Array<() => void> = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});

it('every insert acknowledged before PostgreSQL is killed (-9) is there after crash recovery, with its bytes', async () => {
  const server = await privatePostgres();
  cleanups.push(server.stop);
  const backend = new PostgresMetadataBackend({ connectionString: server.url, maxConnections: 16 });
  await backend.init();
  const ids = createFileIdGenerator();
  const acknowledged: Array<{ record: FileRecord; bytes: Buffer | undefined }> = [];
  let inserts = 0;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const insertOne = async (): Promise<void> => {
    clock += 1;
    const bytes = randomBytes(1024);
    const record = binaryFileRecord({ id: ids.next(clock), workspaceId: 'crash', sizeBytes: bytes.length, createdAtMs: clock });
    // Half with their bytes (small files), half records only (larger files, whose bytes are in S3).
    const withBytes = inserts++ % 2 === 0;
    const result = withBytes
      ? await backend.files.insertFileWithBlob(record, bytes, `r_${record.id}`, undefined, Number.MAX_SAFE_INTEGER)
      : await backend.files.insertFile(record, `r_${record.id}`, undefined, Number.MAX_SAFE_INTEGER);
    assert.equal(result.inserted, true);
    acknowledged.push({ record, bytes: withBytes ? bytes : undefined });
  };
  // 16 at a time into one workspace (one usage row), for a while, so commits overlap flushes.
  const until = Date.now() + 1500;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < until) await insertOne();
    }),
  );
  server.crash();
  await backend.close().catch(() => undefined);
  server.start();

  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const files = new Set((await client.query<{ id: string }>('SELECT id FROM files')).rows.map((r) => r.id));
    const blobs = new Map((await client.query<{ key: string; bytes: Buffer }>('SELECT key, bytes FROM small_blobs')).rows.map((r) => [r.key, r.bytes]));
    assert.ok(acknowledged.length > 100, `enough inserts to overlap (${acknowledged.length})`);
    const lost = acknowledged.filter(({ record }) => !files.has(record.id));
    assert.deepEqual(lost.map(({ record }) => record.id), [], `${lost.length} of ${acknowledged.length} acknowledged records lost`);
    for (const { record, bytes } of acknowledged) if (bytes) assert.deepEqual(blobs.get(record.blobKey), bytes, `the bytes of ${record.id}`);
    const usage = (await client.query<{ used_bytes: string; file_count: string }>("SELECT used_bytes, file_count FROM workspace_usage WHERE workspace_id = 'crash'")).rows[0];
    assert.equal(Number(usage?.file_count), files.size, 'usage counts every surviving file');
  } finally {
    await client.end();
  }
});

it('a database that refuses the flush function still takes inserts, committing them synchronously', async () => {
  const server = await privatePostgres();
  cleanups.push(server.stop);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // As a managed service might: the function revoked from everyone but the superuser.
    await admin.query('REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC');
    await admin.query('CREATE ROLE cabinet LOGIN');
    await admin.query('GRANT CREATE ON SCHEMA public TO cabinet');
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.username = 'cabinet';
  const refused = new pg.Client({ connectionString: url.toString() });
  await refused.connect();
  await assert.rejects(refused.query("SELECT pg_logical_emit_message(true, 'cabinet', '')"), /permission denied/);
  await refused.end();

  const backend = new PostgresMetadataBackend({ connectionString: url.toString() });
  await backend.init();
  try {
    const ids = createFileIdGenerator();
    const now = Date.parse('2026-01-01T00:00:00Z');
    const bytes = randomBytes(100);
    const record = binaryFileRecord({ id: ids.next(now), workspaceId: 'refused', sizeBytes: bytes.length, createdAtMs: now });
    assert.deepEqual(await backend.files.insertFileWithBlob(record, bytes, 'r1', undefined, Number.MAX_SAFE_INTEGER), { inserted: true });
    assert.deepEqual(await backend.files.getFile('refused', record.id), record);
  } finally {
    await backend.close();
  }
});

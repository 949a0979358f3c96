/**
 * The Files API document's examples (the document the project started from), translated to
 * TypeScript, are the acceptance tests: every script in examples/ runs as a user would run it —
 * `node examples/dist/<name>.js` with CABINET_BASE_URL and CABINET_API_KEY set, in a folder holding
 * the files the examples name — against a real server process, and what it prints is
 * checked, as is the server's state afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Cabinet, NotFoundError } from '@cabinet/client';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';

const run = promisify(execFile);
// This file runs from examples/dist/test/; the compiled examples are in examples/dist/.
const COMPILED = dirname(dirname(fileURLToPath(import.meta.url)));
const MAX_FILE_BYTES = 1024 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pdf = (n: number): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);

let server: ServerProcess;
let cwd: string;
let client: Cabinet;
const fixtures: Record<string, Buffer> = {};

before(async () => {
  // The same limit for resumable uploads, through which the client sends files past the
  // single-request limit: the error-handling example needs a file too large for both.
  server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: String(MAX_FILE_BYTES), CABINET_MAX_UPLOAD_BYTES: String(MAX_FILE_BYTES) } });
  cwd = await mkdtemp(join(tmpdir(), 'cabinet-examples-'));
  client = new Cabinet({ baseURL: server.url, apiKey: server.apiKey });
  Object.assign(fixtures, {
    'document.pdf': pdf(50_000),
    'research_paper.pdf': pdf(20_000),
    'document1.pdf': pdf(1000),
    'document2.pdf': pdf(2000),
    'data.csv': Buffer.from('name,value\na,1\nb,2\n'),
    'doc1.pdf': pdf(300),
    'doc2.pdf': pdf(400),
    'large_document.pdf': pdf(2 * MAX_FILE_BYTES),
  });
  for (const [name, bytes] of Object.entries(fixtures)) await writeFile(join(cwd, name), bytes);
});
after(() => server?.stop());

/** Runs an example and returns its stdout lines. */
async function example(name: string, args: string[] = [], target: ServerProcess = server): Promise<string[]> {
  const { stdout } = await run(process.execPath, [join(COMPILED, `${name}.js`), ...args], {
    cwd,
    env: { ...process.env, CABINET_BASE_URL: target.url, CABINET_API_KEY: target.apiKey },
  });
  return stdout.trimEnd().split('\n');
}

const idIn = (line: string | undefined): string => /file_[0-9A-Z]{26}/.exec(line ?? '')?.[0] ?? assert.fail(`no file id in ${line}`);

describe('the Files API document\'s examples', () => {
  it('upload-from-path', async () => {
    const [uploaded, filename, size, created] = await example('upload-from-path');
    const id = idIn(uploaded);
    assert.equal(filename, 'Filename: document.pdf');
    assert.equal(size, `Size: ${fixtures['document.pdf']?.length} bytes`);
    assert.match(created ?? '', /^Created: \d{4}-\d\d-\d\dT/);
    assert.equal((await client.beta.files.retrieve(id)).sha256, sha(fixtures['document.pdf'] ?? Buffer.alloc(0)));
  });

  it('upload-from-bytes', async () => {
    const [line] = await example('upload-from-bytes');
    assert.match(line ?? '', /^Uploaded file ID: file_/);
    const stored = await client.beta.files.download(idIn(line));
    assert.equal(new TextDecoder().decode(stored), 'Sample document content...');
  });

  it('upload-for-batch', async () => {
    const [line] = await example('upload-for-batch');
    assert.match(line ?? '', /^Batch file uploaded: file_/);
    const meta = await client.beta.files.retrieve(idIn(line));
    assert.equal(meta.purpose, 'batch');
    assert.equal(meta.filename, 'batch_requests.jsonl');
  });

  it('retrieve-metadata', async () => {
    const f = await client.beta.files.upload({ file: ['meta.txt', 'twelve bytes'] });
    assert.deepEqual(await example('retrieve-metadata', [f.id]), [
      `ID: ${f.id}`,
      'Filename: meta.txt',
      'Size: 12 bytes',
      'Purpose: user_data',
      `Created: ${f.created_at}`,
    ]);
  });

  it('list-all', async () => {
    const lines = await example('list-all');
    const all: string[] = [];
    for await (const f of client.beta.files.list()) all.push(`${f.filename} (${f.id}) - ${f.purpose}`);
    assert.deepEqual(lines, all);
    assert.ok(lines.some((l) => l.endsWith('- batch')));
  });

  it('list-with-pagination', async () => {
    const fresh = await spawnServer();
    after(() => fresh.stop());
    const c = new Cabinet({ baseURL: fresh.url, apiKey: fresh.apiKey });
    for (let i = 0; i < 25; i++) await c.beta.files.upload({ file: [`f${String(i).padStart(2, '0')}.txt`, `${i}`] });
    const lines = await example('list-with-pagination', [], fresh);
    const names = lines.filter((l) => l.startsWith('File: ')).map((l) => l.slice(6));
    assert.deepEqual(names, Array.from({ length: 20 }, (_, i) => `f${String(24 - i).padStart(2, '0')}.txt`));
    assert.equal(lines[lines.length - 1], 'Newer than f19.txt: f24.txt, f23.txt, f22.txt, f21.txt, f20.txt');
  });

  it('download', async () => {
    const bytes = pdf(100_000);
    const f = await client.beta.files.upload({ file: ['to-download.pdf', bytes] });
    assert.deepEqual(await example('download', [f.id]), [`Downloaded ${bytes.length} bytes`]);
    assert.equal(sha(await readFile(join(cwd, 'downloaded_file.pdf'))), sha(bytes));
  });

  it('delete', async () => {
    const f = await client.beta.files.upload({ file: ['to-delete.txt', 'bye'] });
    assert.deepEqual(await example('delete', [f.id]), [`Deleted file: ${f.id}`, 'Deleted: true']);
    await assert.rejects(client.beta.files.retrieve(f.id), NotFoundError);
  });

  it('use-in-message, end to end through the Messages gateway (CABINET_UPSTREAM=mock)', async () => {
    const gateway = await spawnServer({ env: { CABINET_UPSTREAM: 'mock' } });
    after(() => gateway.stop());
    const lines = await example('use-in-message', [], gateway);
    const paper = fixtures['research_paper.pdf'] ?? Buffer.alloc(0);
    // The mock upstream states what it received: the uploaded PDF, inlined byte for byte.
    assert.deepEqual(lines, [
      'Cabinet mock upstream: model claude-sonnet-4-5-20250929, 1 message.',
      `messages[0].content[0]: document base64 application/pdf, ${paper.length} bytes, sha256 ${sha(paper)}`,
      `messages[0].content[1]: text, 38 bytes, sha256 ${sha(Buffer.from('Summarize this document with citations'))}`,
    ]);
  });

  it('use-in-message-direct (resolveFileReferences, for apps that call a provider directly)', async () => {
    const [referenced, resolved] = await example('use-in-message-direct');
    idIn(referenced);
    const expectedLength = (fixtures['research_paper.pdf'] ?? Buffer.alloc(0)).toString('base64').length;
    assert.equal(resolved, `Resolved source: base64 application/pdf, ${expectedLength} base64 characters`);
  });

  it('manage-multiple', async () => {
    const lines = await example('manage-multiple');
    const uploaded = lines.slice(0, 3);
    assert.deepEqual(uploaded.map((l) => l.split(':')[0]), ['Uploaded document1.pdf', 'Uploaded document2.pdf', 'Uploaded data.csv']);
    const ids = uploaded.map(idIn);
    assert.equal(lines[3], `Uploaded 3 files: ${ids.join(', ')}`);
    assert.deepEqual(lines.slice(4), ids.map((id) => `Deleted ${id}`));
    for (const id of ids) await assert.rejects(client.beta.files.retrieve(id), NotFoundError);
  });

  it('async-operations', async () => {
    const lines = await example('async-operations');
    const id = idIn(lines[0]);
    assert.ok(lines.some((l) => l === 'File: document.pdf'));
    assert.ok(lines.includes(`Downloaded ${fixtures['document.pdf']?.length} bytes`));
    assert.equal(lines[lines.length - 1], `Deleted: ${id}`);
    await assert.rejects(client.beta.files.retrieve(id), NotFoundError);
  });

  it('error-handling', async () => {
    const lines = await example('error-handling');
    assert.deepEqual(lines, [
      `File too large: File exceeds the maximum size of ${MAX_FILE_BYTES} bytes.`,
      'File not found',
      'File file_abc123 not found',
    ]);
  });

  it('file-lifecycle', async () => {
    const lines = await example('file-lifecycle');
    const [a, b] = (lines[0] ?? '').replace('Using files: ', '').split(', ');
    const c = idIn(lines[1]);
    assert.equal(lines[2], `Deleted ${c}`);
    for (const id of [a ?? '', b ?? '', c]) await assert.rejects(client.beta.files.retrieve(id), NotFoundError);
  });

  it('check-before-use', async () => {
    const batch = await client.beta.files.upload({
      file: ['b.jsonl', JSON.stringify({ custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] } })],
      purpose: 'batch',
    });
    const lines = await example('check-before-use', [batch.id]);
    assert.deepEqual(lines, ["Warning: File has purpose 'batch'", `File size: ${batch.size} bytes`, `Processing ${batch.size} bytes`]);
    assert.deepEqual(await example('check-before-use', ['file_abc123']), ['File file_abc123 not found']);
  });

  it('validate-before-upload', async () => {
    assert.match((await example('validate-before-upload', ['document.pdf']))[0] ?? '', /^Uploaded: file_/);
    assert.deepEqual(await example('validate-before-upload', ['large_document.pdf', '1']), ['Not uploaded: File too large: 2.0MB (max 1MB)']);
    assert.deepEqual(await example('validate-before-upload', ['missing.pdf']), ['Not uploaded: File not found: missing.pdf']);
  });

  it('pagination-large-lists', async () => {
    const fresh = await spawnServer();
    after(() => fresh.stop());
    const c = new Cabinet({ baseURL: fresh.url, apiKey: fresh.apiKey });
    await Promise.all(Array.from({ length: 230 }, (_, i) => c.beta.files.upload({ file: [`n${i}.txt`, `${i}`] })));
    assert.deepEqual(await example('pagination-large-lists', [], fresh), ['Found 230 files', 'Unique: 230']);
  });
});

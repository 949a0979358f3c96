/**
 * The README's examples run as pasted (helpers/readme-snippets.ts says how): every shell,
 * JavaScript and TypeScript block, in order and in one directory, against a real server, unless a
 * marker before it says why it cannot run here. New sections are picked up by themselves; a failing block is reported with its
 * line and section.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import { ROOT } from './helpers/cli.js';
import { extractSnippets, failureReport, runSnippet } from './helpers/readme-snippets.js';

const README = 'README.md';
const snippets = extractSnippets(readFileSync(join(ROOT, README), 'utf8'));
const runnable = snippets.filter((s) => s.kind !== 'other' && s.skip === undefined);

let server: ServerProcess;
let work: string;

before(async () => {
  // The server the README describes: the examples use the key dev-key, and the Messages section the
  // built-in mock upstream.
  server = await spawnServer({ apiKey: 'dev-key', env: { CABINET_UPSTREAM: 'mock' } });
  // Inside the repository (git ignores .cabinet-test-*), so `npx @cabinet/cli` and
  // `import '@cabinet/client'` find the workspace packages, as they do for a reader in a clone.
  work = await mkdtemp(join(ROOT, '.cabinet-test-readme-'));
  // A reader runs the CLI's store commands where the server keeps ./data.
  await symlink(server.dataDir, join(work, 'data'));
});
after(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe(`${README} examples`, () => {
  it('has examples that run, and every one left out says why', () => {
    assert.ok(runnable.length >= 5, `only ${runnable.length} runnable blocks found`);
    for (const s of snippets) if (s.skip !== undefined) assert.ok(s.skip.length >= 10, `line ${s.line}: say why the block is not run`);
  });

  for (const snippet of runnable) {
    it(`line ${snippet.line} (${snippet.section}, ${snippet.lang})`, { timeout: 180_000 }, async () => {
      const result = await runSnippet(snippet, { cwd: work, serverUrl: server.url, apiKey: server.apiKey });
      assert.equal(result.code, 0, failureReport(README, snippet, result));
      // An error envelope in the output is a failure even when the exit code says otherwise (curl).
      assert.doesNotMatch(result.stdout, /"type":\s*"error"/, failureReport(README, snippet, result));
    });
  }
});

/**
 * The README's two-SDK example (the block after `<!-- two-sdk-example … -->`), run as pasted with
 * the official `openai` and `@anthropic-ai/sdk` packages against the real server. The only change:
 * `@anthropic-ai/sdk` is installed here under the alias `anthropic-sdk-1` (1.13.0), so the import is
 * pointed there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

it('runs the README two-SDK example as pasted', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /<!-- two-sdk-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the two-SDK example');
  // Beside this file, so `openai` and the Anthropic SDK resolve from test/e2e's node_modules.
  const script = join(here, `readme-example-${process.pid}.mjs`);
  writeFileSync(script, block.replace("from '@anthropic-ai/sdk'", "from 'anthropic-sdk-1'"));
  const server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '1MiB' } });
  after(async () => {
    rmSync(script, { force: true });
    await server.stop();
  });
  const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...process.env, KEY: server.apiKey, CABINET_URL: server.url } });
  const lines = stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^file_\w{26} batch \d+$/);
  assert.equal(lines[1], 'requests.jsonl 99');
  assert.match(lines[2] ?? '', /^completed file_\w{26} 12582912$/);
  assert.equal(lines.length, 5, 'two files listed');
  const files = (await (await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': server.apiKey } })).json()) as { data: unknown[] };
  assert.deepEqual(files.data, [], 'the example cleans up after itself');
});

/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against the real
 * server process: sign-in (a wrong key's message, the key in sessionStorage only), uploads with
 * progress, the list, details, a download compared by SHA-256, deletes, paging through 60 files
 * both ways with the purpose filter, every upload error's message, a narrow screen, and no CSP or
 * Trusted Types violation anywhere. One browser for the file (CI time).
 *
 * `CABINET_CONSOLE_SCREENSHOTS=docs` writes the README's screenshots as it goes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileListPage, FileObject } from '@cabinet/client/wire';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import type { Page } from 'playwright-core';
import { launchBrowser } from './helpers/browser.js';
import type { Browser } from './helpers/browser.js';
import { sha256File, writeRandomFile } from './helpers/random-file.js';

const SCREENSHOTS = process.env['CABINET_CONSOLE_SCREENSHOTS'];
const MiB = 1024 * 1024;
const ADMIN_KEY = `admin-key-${randomBytes(8).toString('hex')}`;

let server: ServerProcess;
let browser: Browser;
let page: Page;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cabinet-console-'));
  [server, browser] = await Promise.all([spawnServer({ env: { CABINET_ADMIN_KEYS: ADMIN_KEY, CABINET_QUOTA_BYTES: '64MiB' } }), launchBrowser()]);
  page = browser.page;
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function screenshot(name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/** Uploads through the API (not the console), for fixtures. */
async function apiUpload(s: ServerProcess, name: string, body: string, purpose = 'user_data'): Promise<FileObject> {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([body]), name);
  const res = await fetch(`${s.url}/v1/files`, { method: 'POST', headers: { 'x-api-key': s.apiKey }, body: form });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as FileObject;
}

async function apiList(s: ServerProcess): Promise<FileObject[]> {
  const res = await fetch(`${s.url}/v1/files?limit=1000`, { headers: { 'x-api-key': s.apiKey } });
  return ((await res.json()) as FileListPage).data;
}

/** The names in the file table, top to bottom. */
async function listedNames(): Promise<string[]> {
  return page.locator('table.file-table tbody td.name button').allTextContents();
}

async function signIn(key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('web console', () => {
  it('sends / to the console, refuses a wrong key with a clear message, and keeps the key in sessionStorage only', async () => {
    const response = await page.goto(`${server.url}/`);
    assert.equal(new URL(page.url()).pathname, '/console/');
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await screenshot('console-sign-in.png');

    await signIn('not-a-key');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /This API key was not accepted: Invalid API key\. \(request req_/);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');

    await signIn(server.apiKey);
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    assert.equal(await page.evaluate(() => Object.values(sessionStorage).join()), server.apiKey);
    assert.equal(await page.evaluate(() => document.cookie), '');
    assert.deepEqual(await browser.context.cookies(), []);
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'an ordinary key has no Admin page');
    // A reload keeps the session (the tab's storage); nothing asks for the key again.
    await page.reload();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    assert.equal(await page.getByLabel('API key').count(), 0);
  });

  it('uploads two files at once, each with its progress bar, and lists them newest first', async () => {
    const sizes = [6 * MiB, 5 * MiB];
    const paths = sizes.map((_, i) => join(dir, `upload-${i + 1}.bin`));
    const hashes = await Promise.all(paths.map((path, i) => writeRandomFile(path, sizes[i] ?? 0)));
    // Slow the browser's uploads (DevTools network emulation, 3 MiB/s), so progress can be watched.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 3 * MiB });
    try {
      await page.locator('#upload-input').setInputFiles(paths);
      const seen = new Map<string, number[]>();
      const started = Date.now();
      for (;;) {
        const items = await page.locator('li.upload-item').evaluateAll((lis) =>
          lis.map((li) => {
            const bar = li.querySelector('progress') as HTMLProgressElement;
            return { name: li.querySelector('.name')?.textContent ?? '', state: li.getAttribute('data-state'), fraction: bar.value / bar.max, label: bar.getAttribute('aria-label') };
          }),
        );
        for (const item of items) seen.set(item.name, [...(seen.get(item.name) ?? []), item.fraction]);
        if (items.length === 2 && items.every((item) => item.state === 'done')) break;
        assert.ok(!items.some((item) => item.state === 'failed'), JSON.stringify(items));
        assert.ok(Date.now() - started < 60_000, 'uploads finished within a minute');
        if (SCREENSHOTS && items.every((item) => item.fraction > 0.3 && item.fraction < 0.8)) await screenshot('console-upload.png');
        await page.waitForTimeout(100);
      }
      for (const name of ['upload-1.bin', 'upload-2.bin']) {
        const fractions = seen.get(name) ?? [];
        assert.ok(fractions.some((f) => f > 0 && f < 1), `${name}: a bar part-way (${fractions.map((f) => f.toFixed(2)).join(' ')})`);
        assert.equal(fractions.at(-1), 1, `${name}: a full bar at the end`);
        assert.ok(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] ?? 0)), `${name}: progress never goes back`);
      }
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    const stored = await apiList(server);
    assert.deepEqual(stored.map((f) => f.sha256).sort(), [...hashes].sort(), 'the server has both files, byte for byte');
    await page.waitForFunction(() => document.querySelectorAll('table.file-table tbody tr').length === 2);
    assert.deepEqual(await listedNames(), stored.map((f) => f.filename), 'the table shows the server order: newest first');
    const times = await page.locator('table.file-table tbody time[datetime]').evaluateAll((els) => els.map((el) => el.getAttribute('datetime') ?? ''));
    assert.deepEqual(times, [...times].sort().reverse());
  });

  it('shows a file in the detail panel (keyboard), downloads it with the same SHA-256, and gives focus back', async () => {
    const [file] = await apiList(server);
    assert.ok(file);
    const opener = page.getByRole('button', { name: file.filename, exact: true });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: file.filename });
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    for (const value of [file.id, file.sha256, file.mime_type, file.size_bytes.toLocaleString('en-GB'), file.created_at, 'never']) {
      assert.ok(text.includes(value), `the panel shows ${value}: ${text}`);
    }
    await screenshot('console-details.png');

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), file.filename);
    const saved = join(dir, 'downloaded.bin');
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), file.sha256);

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), file.filename, 'focus is back on the name that opened the panel');
  });

  it('deletes one file after confirming, and several at once (dropped onto the page)', async () => {
    const [first, second] = await apiList(server);
    assert.ok(first && second);
    await page.getByRole('button', { name: first.filename, exact: true }).click();
    await page.getByRole('dialog', { name: first.filename }).getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this file?' });
    await confirm.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'the safe choice has focus');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await apiList(server)).length, 2, 'cancel deletes nothing');
    await page.getByRole('dialog', { name: first.filename }).getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted 1 file.' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.file-table tbody tr').length === 1);
    assert.deepEqual(await listedNames(), [second.filename]);
    const gone = await fetch(`${server.url}/v1/files/${first.id}`, { headers: { 'x-api-key': server.apiKey } });
    assert.equal(gone.status, 404);

    // Three files dropped at once (a DataTransfer, as a drag from the desktop delivers them).
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      for (const name of ['drop-a.txt', 'drop-b.txt', 'drop-c.txt']) transfer.items.add(new File([`dropped ${name}`], name, { type: 'text/plain' }));
      const zone = document.querySelector('section.upload');
      zone?.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone?.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.querySelectorAll('table.file-table tbody tr').length === 4);
    const dropped = (await apiList(server)).filter((f) => f.filename.startsWith('drop-'));
    assert.deepEqual(dropped.map((f) => f.filename).sort(), ['drop-a.txt', 'drop-b.txt', 'drop-c.txt']);

    await page.getByRole('checkbox', { name: 'Select drop-a.txt' }).check();
    await page.getByRole('checkbox', { name: 'Select drop-c.txt' }).check();
    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    const many = page.getByRole('dialog', { name: 'Delete 2 files?' });
    await many.getByRole('button', { name: 'Delete 2 files' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted 2 files.' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.file-table tbody tr').length === 2);
    assert.deepEqual((await apiList(server)).map((f) => f.filename).sort(), ['drop-b.txt', second.filename].sort());
    assert.deepEqual((await listedNames()).sort(), ['drop-b.txt', second.filename].sort());
  });

  it('pages through 60 more files in both directions, and filters by purpose', async () => {
    // Oldest first, so file-01 is the oldest: 25 batch files, then 35 user_data ones.
    const batchLine = JSON.stringify({ custom_id: 'r1', params: { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] } });
    for (let i = 1; i <= 60; i++) {
      const name = `file-${String(i).padStart(2, '0')}${i <= 25 ? '.jsonl' : '.txt'}`;
      await apiUpload(server, name, i <= 25 ? `${batchLine}\n` : `file ${i}`, i <= 25 ? 'batch' : 'user_data');
    }
    const all = (await apiList(server)).map((f) => f.filename);
    assert.equal(all.length, 62);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction(() => document.querySelector('table.file-table tbody td.name button')?.textContent === 'file-60.txt');
    const older = page.getByRole('button', { name: 'Older →' });
    const newer = page.getByRole('button', { name: '← Newer' });
    const pageIs = async (names: string[]): Promise<void> => {
      await page.waitForFunction((first) => document.querySelector('table.file-table tbody td.name button')?.textContent === first && !document.querySelector('section.files[aria-busy="true"]'), names[0]);
      assert.deepEqual(await listedNames(), names);
    };
    await pageIs(all.slice(0, 20));
    assert.ok(await newer.isDisabled());
    await older.click();
    await pageIs(all.slice(20, 40));
    if (SCREENSHOTS) {
      await page.getByRole('button', { name: 'Clear finished' }).click();
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot('console-files.png');
    }
    await older.click();
    await pageIs(all.slice(40, 60));
    await older.click();
    await pageIs(all.slice(60));
    assert.ok(await older.isDisabled(), 'the last page has no older one');
    await newer.click();
    await pageIs(all.slice(40, 60));
    await newer.click();
    await newer.click();
    await pageIs(all.slice(0, 20));
    assert.ok(await newer.isDisabled());

    const batch = all.filter((name) => name.endsWith('.jsonl'));
    await page.getByLabel('Purpose', { exact: true }).selectOption('batch');
    await pageIs(batch.slice(0, 20));
    await older.click();
    await pageIs(batch.slice(20));
    assert.ok(await older.isDisabled());
    await newer.click();
    await pageIs(batch.slice(0, 20));
    assert.ok(await newer.isDisabled());
    await page.getByLabel('Purpose', { exact: true }).selectOption('');
    await pageIs(all.slice(0, 20));
  });

  it('fits a narrow screen: no sideways scrolling, the detail panel inside the screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      const name = (await listedNames())[0] ?? '';
      await page.getByRole('button', { name, exact: true }).click();
      const box = await page.getByRole('dialog', { name }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `dialog at ${JSON.stringify(box)}`);
      await screenshot('console-narrow.png');
      await page.keyboard.press('Escape');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('signs out: the key leaves sessionStorage and the sign-in form is back', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.reload();
    await page.getByLabel('API key').waitFor();
  });

  it('admin page: workspaces with their usage, a new workspace and key (the secret shown once), deactivate, activate, revoke', async () => {
    const adminHeaders = { 'x-api-key': ADMIN_KEY };
    await signIn(ADMIN_KEY);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin' }).waitFor();
    const usage = (await (await fetch(`${server.url}/v1/organizations/workspaces/default/usage`, { headers: adminHeaders })).json()) as { file_count: number };
    const defaultRow = page.locator('tr[data-workspace-id="default"]');
    await defaultRow.filter({ hasText: `${usage.file_count} files` }).waitFor();

    await page.getByLabel('New workspace').fill('team-a');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('status').filter({ hasText: 'Created workspace team-a.' }).waitFor();
    await page.locator('tr[data-workspace-id="team-a"]').filter({ hasText: '0 files' }).waitFor();
    await page.getByRole('heading', { name: 'Keys of team-a' }).waitFor();

    await page.getByLabel('Key name').fill('laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new key' });
    await shown.waitFor();
    const secret = await shown.getByRole('textbox').inputValue();
    assert.match(secret, /^cab_/);
    const keyRow = page.locator('tr[data-key-id]').filter({ hasText: 'laptop' });
    await keyRow.filter({ hasText: 'active' }).waitFor();
    await screenshot('console-new-key.png');
    await shown.getByRole('button', { name: 'I have saved it' }).click();
    await shown.waitFor({ state: 'detached' });
    await screenshot('console-admin.png');
    assert.equal(await page.evaluate((k) => document.documentElement.outerHTML.includes(k), secret), false, 'the secret is gone from the page');
    const hint = (await keyRow.locator('td').nth(1).textContent()) ?? '';
    assert.ok(secret.startsWith(hint.split('…')[0] ?? '-'), `hint ${hint} is the secret's start`);

    // The new key works, on its workspace.
    const asNewKey = (): Promise<Response> => fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': secret } });
    assert.equal((await asNewKey()).status, 200);
    await apiUpload({ ...server, apiKey: secret }, 'team-file.txt', 'made with the new key');

    await keyRow.getByRole('button', { name: /^Deactivate/ }).click();
    await keyRow.filter({ hasText: 'inactive' }).waitFor();
    assert.ok([401, 403].includes((await asNewKey()).status), 'an inactive key is refused');
    await keyRow.getByRole('button', { name: /^Activate/ }).click();
    await keyRow.locator('td[data-label="Status"]', { hasText: /^active$/ }).waitFor();
    assert.equal((await asNewKey()).status, 200, 'and works again once activated');
    await keyRow.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('dialog', { name: 'Revoke key laptop?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.locator('tr[data-key-id]').filter({ hasText: 'laptop' }).filter({ hasText: 'archived' }).waitFor();
    assert.ok([401, 403].includes((await asNewKey()).status), 'a revoked key is refused');

    // The workspace's files, through the admin key.
    await page.locator('tr[data-workspace-id="team-a"]').getByRole('button', { name: 'Files of team-a' }).click();
    await page.getByRole('heading', { name: 'Files in team-a' }).waitFor();
    await page.waitForFunction(() => document.querySelector('table.file-table tbody td.name button')?.textContent === 'team-file.txt');
    assert.deepEqual(await listedNames(), ['team-file.txt']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
  });

  it('explains every upload error: too large, quota full, a bad batch line, rate limited', async () => {
    const tight = await spawnServer({
      env: { CABINET_MAX_FILE_BYTES: '1MiB', CABINET_QUOTA_BYTES: '1536KiB', CABINET_RATE_LIMIT_PER_MINUTE: '30' },
    });
    try {
      await page.goto(`${tight.url}/console/`);
      await signIn(tight.apiKey);
      await page.getByRole('heading', { name: 'Files' }).waitFor();
      const upload = async (name: string, body: Buffer | string, purpose: 'user_data' | 'batch' = 'user_data'): Promise<string> => {
        await page.locator('#upload-purpose').selectOption(purpose);
        const path = join(dir, name);
        writeFileSync(path, body);
        await page.locator('#upload-input').setInputFiles(path);
        const item = page.locator('li.upload-item', { hasText: name }).first();
        await page.waitForFunction((n) => [...document.querySelectorAll('li.upload-item')].some((li) => li.textContent?.includes(n) && /done|failed/.test(li.getAttribute('data-state') ?? '')), name);
        return (await item.locator('.upload-line').last().textContent()) ?? '';
      };
      assert.match(await upload('big.bin', randomBytes(MiB + 1)), /big\.bin: too large for this server\. The largest file it accepts is 1\.00 MiB\. \(request req_/);
      assert.match(await upload('fits.bin', randomBytes(MiB)), /Uploaded as file_/);
      assert.match(await upload('over-quota.bin', randomBytes(600 * 1024)), /over-quota\.bin: the workspace's storage quota is full: Workspace storage quota of 1572864 bytes would be exceeded/);
      const good = JSON.stringify({ custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] } });
      assert.match(await upload('requests.jsonl', `${good}\n{"custom_id": "b"}\n`, 'batch'), /requests\.jsonl: line 2 of the batch file is not valid: .*params/);
      await screenshot('console-errors.png');

      // Past 30 requests a minute: the next answer is 429, and the page says when to try again.
      const refresh = page.getByRole('button', { name: 'Refresh' });
      const alert = page.getByRole('alert').filter({ hasText: 'too many requests' });
      for (let i = 0; i < 40 && (await alert.count()) === 0; i++) {
        await refresh.click();
        await page.waitForFunction(() => !document.querySelector('section.files[aria-busy="true"]'));
      }
      assert.match((await alert.textContent()) ?? '', /Listing files: too many requests with this key: try again in \d+ s \(at \d\d:\d\d:\d\d\)\./);
    } finally {
      await tight.stop();
    }
  });

  it('ran without a single Content-Security-Policy or Trusted Types violation (and would have seen one)', async () => {
    assert.deepEqual(browser.violations, []);
    assert.deepEqual(
      browser.errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|401|403|404|413|429)/.test(e)),
      [],
      'no console errors but the API errors the tests asked for',
    );
    // The listener works: an HTML sink is refused by Trusted Types and reported.
    const thrown = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<b>x</b>');
        return 'not refused';
      } catch (err) {
        return (err as Error).name;
      }
    });
    assert.equal(thrown, 'TypeError');
    // The report is an event, delivered a moment later.
    for (let i = 0; i < 50 && browser.violations.length === 0; i++) await page.waitForTimeout(100);
    assert.ok(browser.violations.some((v) => /trusted-types|require-trusted-types-for/.test(v)), browser.violations.join('\n'));
  });
});


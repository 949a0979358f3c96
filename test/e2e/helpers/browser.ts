/**
 * A real browser for the web console's tests: Debian's Chromium (installed by
 * test/support/scripts/install-services.sh, like PostgreSQL and Ceph) driven by playwright-core,
 * headless, with a fresh profile per run. Every Content-Security-Policy or Trusted Types violation
 * the page reports is collected, so a test can assert there were none.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** `securitypolicyviolation` events and console messages about CSP or Trusted Types, as they came. */
  violations: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run test/support/scripts/install-services.sh as root (it installs Debian's chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'cabinet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const violations: string[] = [];
  const errors: string[] = [];
  await context.exposeBinding('__cabinetReportViolation', (_source, text: string) => {
    violations.push(text);
  });
  // Runs before the page's own scripts (injected by the browser, not by the page, so the CSP under
  // test does not apply to it).
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __cabinetReportViolation(text: string): void }).__cabinetReportViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Trusted Type/i.test(text)) violations.push(`console: ${text}`);
    if (message.type() === 'error') errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return {
    context,
    page,
    violations,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The repository speaks to someone who just cloned it: no internal jargon (the "seed" document, "spec
 * §N" of a document that is not here), no reference to files outside the repository, and no
 * command that sends a user to the wrong npm package (`npx cabinet` is someone else's package).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';

const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(md|ts|mjs|js|json|sh|py)$/.test(f) && f !== 'package-lock.json' && existsSync(join(ROOT, f)));
// This file names what it forbids.
const checked = tracked.filter((f) => f !== 'test/e2e/docs-words.test.ts');

function offences(pattern: RegExp, files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('words in the repository', () => {
  it('has files to check', () => assert.ok(checked.length > 100, `${checked.length} files`));

  it('uses no internal jargon for the document the project started from', () => {
    // "seed" as the name of that document (a random seed, e.g. fast-check's, is another word).
    assert.deepEqual(offences(/\bthe seed\b|\bseed's\b|^\s*(\/\/|\*|#)\s*Seed:|\bseed (examples?|document|names?|interface|example)\b|\(seed\)/i, checked), []);
    assert.deepEqual(offences(/\bspec(ification)?\s*§/i, checked), []);
  });

  it('refers to nothing outside the repository', () => {
    assert.deepEqual(offences(/\.\.\/shared\/|\/work\/shared|(^|[\s(`'"])shared\/[\w-]+\.md/, checked), []);
  });

  it('cites only sections of docs/wire.md that exist', () => {
    const wire = readFileSync(join(ROOT, 'docs', 'wire.md'), 'utf8');
    const sections = new Set([...wire.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
    const cited = checked.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/docs\/wire\.md §(\d+(?:\.\d+)?)/g)].map((m) => ({ file, section: m[1] ?? '' })),
    );
    assert.ok(cited.length > 5, 'code cites docs/wire.md');
    assert.deepEqual(cited.filter((c) => !sections.has(c.section)).map((c) => `${c.file}: §${c.section}`), []);
  });

  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const file of checked.filter((f) => f.endsWith('.md'))) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(ROOT, dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('never sends a user to `npx cabinet <command>` (an unrelated npm package)', () => {
    assert.deepEqual(offences(/npx cabinet\s+(serve|upload|ls|info|download|rm|keys|--)/, checked), []);
  });
});

/** The CLI's version, from its package.json (read only when asked for). */
import { readFileSync } from 'node:fs';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The words that ask for the version (bin/cabinet.cjs answers the same ones before loading the CLI). */
export const VERSION_WORDS: ReadonlySet<string> = new Set(['--version', '-V', 'version']);

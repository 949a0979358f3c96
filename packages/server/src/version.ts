/** The server's version, from its package.json (`cabinet-server --version`). */
import { readFileSync } from 'node:fs';

export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

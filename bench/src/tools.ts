/**
 * The programs the benchmarks drive: nginx (the baseline), wrk (load for small requests) and curl
 * (the upload and download client). Missing ones are installed from Debian's archive, as the
 * project's test services are (test/support/scripts/install-services.sh).
 */
import { existsSync } from 'node:fs';
import { firstLine, runLoud } from './processes.js';

const PACKAGES: ReadonlyArray<{ binary: string; pkg: string }> = [
  { binary: '/usr/sbin/nginx', pkg: 'nginx-light' },
  { binary: '/usr/bin/wrk', pkg: 'wrk' },
  { binary: '/usr/bin/curl', pkg: 'curl' },
];

export async function ensureTools(): Promise<void> {
  const missing = PACKAGES.filter((p) => !existsSync(p.binary)).map((p) => p.pkg);
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = (args: string[]): Promise<void> =>
    asRoot.length === 0 ? runLoud('apt-get', args) : runLoud(asRoot[0] ?? 'sudo', [...asRoot.slice(1), 'apt-get', ...args]);
  console.log(`installing ${missing.join(', ')} from Debian's archive`);
  await apt(['update', '-qq']);
  process.env['DEBIAN_FRONTEND'] = 'noninteractive';
  await apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

/** Versions of what was measured, for the report. */
export async function toolVersions(): Promise<Record<string, string>> {
  return {
    node: process.version,
    nginx: await firstLine('/usr/sbin/nginx', ['-v']),
    wrk: await firstLine('/usr/bin/wrk', ['-v']),
    curl: (await firstLine('/usr/bin/curl', ['--version'])).split(' ').slice(0, 2).join(' '),
    kernel: await firstLine('uname', ['-sr']),
  };
}

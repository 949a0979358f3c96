/**
 * The programs the benchmarks drive: nginx (the baseline), wrk (load for small requests), curl
 * (the upload and download client), openssl (the hashing limit), and PostgreSQL and Ceph (the
 * scale-out backend and the RGW peer). Missing ones are installed from Debian's archive; PostgreSQL
 * and Ceph by the script the test suite uses (test/support/scripts/install-services.sh).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { firstLine, runLoud } from './processes.js';
import { backendInstalled, INSTALL_SERVICES } from './services.js';

const PACKAGES: ReadonlyArray<{ binary: string; pkg: string }> = [
  { binary: '/usr/sbin/nginx', pkg: 'nginx-light' },
  { binary: '/usr/bin/wrk', pkg: 'wrk' },
  { binary: '/usr/bin/curl', pkg: 'curl' },
  { binary: '/usr/bin/openssl', pkg: 'openssl' },
  { binary: '/usr/bin/fincore', pkg: 'util-linux' },
];

export async function ensureTools(): Promise<void> {
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (!backendInstalled()) {
    console.log('installing PostgreSQL and Ceph (mon, osd, radosgw) from Debian\'s archive');
    await runLoud(asRoot[0] ?? 'bash', asRoot.length === 0 ? [INSTALL_SERVICES] : [...asRoot.slice(1), 'bash', INSTALL_SERVICES]);
  }
  const missing = PACKAGES.filter((p) => !existsSync(p.binary)).map((p) => p.pkg);
  if (missing.length === 0) return;
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
    openssl: await firstLine('/usr/bin/openssl', ['version']),
    postgresql: await firstLine('bash', ['-c', '"$(pg_config --bindir)/postgres" --version']),
    ceph: (await firstLine('/usr/bin/radosgw', ['--version'])).replace(/\s*\(.*$/, ''),
    '@tus/server': packageVersion('@tus/server'),
    '@tus/file-store': packageVersion('@tus/file-store'),
    kernel: await firstLine('uname', ['-sr']),
  };
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    // The package's main file, then its package.json beside dist/ (exports hides package.json).
    let dir = require.resolve(name);
    for (let i = 0; i < 4; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      if (existsSync(`${dir}/package.json`)) {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? 'unknown';
      }
    }
  } catch {
    // not installed
  }
  return 'unknown';
}

/**
 * The packages as a user gets them: `npm pack` of @cabinet/client, @cabinet/server and @cabinet/cli
 * (their `prepack` builds), the tarballs installed into an empty project outside the repository
 * (third-party dependencies from the registry, better-sqlite3's build step approved as the README
 * says), and then, from that project: the server started from its command, the client used from a
 * plain `.mjs`, the CLI run from its command, the types checked by `tsc`, and each package README's
 * examples run as written.
 *
 * The install is the slow part: a cold one downloads the dependencies and builds better-sqlite3
 * (~95 s on 2 cores). Third-party dependencies are therefore cached between runs under
 * node_modules/.cache/cabinet-packaging/<key>, where the key covers everything that decides them
 * (the three packages' dependency ranges, Node, npm, platform); the tarballs themselves are always
 * installed afresh. `CABINET_PACKAGING_COLD=1` forces a cold install. Each run prints its timings.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';
import { extractSnippets, failureReport, runSnippet } from './helpers/readme-snippets.js';
import { startProcess } from './helpers/start-process.js';
import type { Started } from './helpers/start-process.js';

const PACKAGES = ['client', 'server', 'cli'] as const;
const CACHE_ROOT = join(ROOT, 'node_modules', '.cache', 'cabinet-packaging');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command with the environment of a user's shell: none of this repository's or the runner's settings. */
function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 600_000): Promise<Run> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('CABINET_') || k.startsWith('ANTHROPIC_') || k.startsWith('npm_') || k === 'NODE_OPTIONS') continue;
    clean[k] = v;
  }
  return new Promise((resolve) =>
    execFile(command, args, { cwd, env: { ...clean, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

interface PackedFile {
  filename: string;
  name: string;
  files: Array<{ path: string }>;
}

let packDir: string;
let project: string;
let packed: PackedFile[] = [];
let server: Started | undefined;
let apiKey = '';
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
}

/** What decides the third-party dependency tree: if any of it changes, the cache is not used. */
function cacheKey(npmVersion: string): string {
  const deps = PACKAGES.map((p) => (JSON.parse(readFileSync(join(ROOT, 'packages', p, 'package.json'), 'utf8')) as { dependencies?: unknown }).dependencies);
  return createHash('sha256').update(JSON.stringify({ deps, node: process.version, npmVersion, platform: process.platform, arch: process.arch })).digest('hex').slice(0, 16);
}

before(async () => {
  packDir = await mkdtemp(join(tmpdir(), 'cabinet-pack-'));
  project = await mkdtemp(join(tmpdir(), 'cabinet-user-project-'));
});
after(async () => {
  await server?.stop();
  console.log(`packaging timings (ms): ${JSON.stringify(timings)}`);
  await rm(packDir, { recursive: true, force: true });
  await rm(project, { recursive: true, force: true });
});

describe('the packages, installed outside the repository', { timeout: 900_000 }, () => {
  it('npm pack makes tarballs with the build, types, README and LICENSE, and no compiled tests', async () => {
    const result = await timed('pack', () =>
      sh('npm', ['pack', '--json', '--pack-destination', packDir, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])], ROOT),
    );
    assert.equal(result.code, 0, result.stderr);
    packed = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as PackedFile[];
    assert.deepEqual(packed.map((p) => p.name), ['@cabinet/client', '@cabinet/server', '@cabinet/cli']);
    const files = (name: string): string[] => packed.find((p) => p.name === name)?.files.map((f) => f.path) ?? [];
    for (const p of packed) {
      const list = files(p.name);
      for (const required of ['package.json', 'README.md', 'LICENSE']) assert.ok(list.includes(required), `${p.name} lacks ${required}`);
      assert.deepEqual(list.filter((f) => /(^|\/)test\/|\.test\.|tsbuildinfo/.test(f)), [], `${p.name} ships tests or build state`);
    }
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/wire.d.ts']) assert.ok(files('@cabinet/client').includes(f), f);
    for (const f of [
      'bin/cabinet-server.js',
      'dist/src/main.js',
      'dist/src/index.d.ts',
      'dist/src/storage/sqlite/index.d.ts',
      'dist/src/testing/index.js',
      // The web console, built by prepack (nothing of it is fetched at run time).
      'dist/console/index.html',
      'dist/console/console.js',
      'dist/console/console.css',
    ]) {
      assert.ok(files('@cabinet/server').includes(f), f);
    }
    for (const f of ['bin/cabinet.cjs', 'dist/src/main.js', 'dist/src/commands/download.js']) assert.ok(files('@cabinet/cli').includes(f), f);

    // The manifests: publishable, licensed, and depending on versions, not on the workspace.
    for (const p of PACKAGES) {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', p, 'package.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(manifest['private'], undefined, `${p} is private`);
      assert.equal(manifest['license'], 'MIT');
      assert.equal(manifest['scripts'] && (manifest['scripts'] as Record<string, string>)['prepack'], 'node ../../scripts/prepack.mjs');
      for (const [dep, range] of Object.entries((manifest['dependencies'] ?? {}) as Record<string, string>)) {
        assert.match(range, /^[\^~]?\d+\.\d+\.\d+$/, `${p}: ${dep}@${range} is not a version range`);
      }
    }
  });

  it('installs into an empty project (install scripts approved or refused as the README says: no install-script warning)', async () => {
    assert.ok(packed.length === 3, 'packed');
    const npmVersion = (await sh('npm', ['--version'], project)).stdout.trim();
    assert.equal((await sh('npm', ['init', '-y'], project)).code, 0);
    const approve = await sh('npm', ['pkg', 'set', 'allowScripts.better-sqlite3=true', 'allowScripts.@scarf/scarf=false', '--json'], project);
    assert.equal(approve.code, 0, approve.stderr);
    const cache = join(CACHE_ROOT, cacheKey(npmVersion));
    const warm = process.env['CABINET_PACKAGING_COLD'] !== '1' && existsSync(join(cache, 'node_modules'));
    if (warm) await cp(join(cache, 'node_modules'), join(project, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    const tarballs = packed.map((p) => join(packDir, p.filename));
    const install = await timed(warm ? 'install (third-party dependencies cached)' : 'install (cold)', () =>
      sh('npm', ['install', '--no-audit', '--no-fund', ...tarballs], project),
    );
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    assert.doesNotMatch(`${install.stdout}${install.stderr}`, /install scripts not yet covered|allowScripts/i, 'npm warned about install scripts');
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@cabinet/cli', '@cabinet/client', '@cabinet/server']);
    assert.ok(existsSync(join(project, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'the SQLite driver was built');
    if (!warm) {
      // Keep the third-party tree for the next run (never our packages: those are installed afresh).
      const staging = `${CACHE_ROOT}.tmp-${process.pid}`;
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await cp(join(project, 'node_modules'), join(staging, 'node_modules'), {
        recursive: true,
        verbatimSymlinks: true,
        // Not npm's record of the tree (it lists our packages): npm reads the folders instead.
        filter: (src) => !['@cabinet', '.bin', '.package-lock.json'].some((name) => src.includes(join('node_modules', name))),
      });
      // One cache at a time: trees for older keys are dropped.
      await rm(CACHE_ROOT, { recursive: true, force: true });
      await mkdir(CACHE_ROOT, { recursive: true });
      await rename(staging, cache);
    }
  });

  it('starts the server from its command (npx cabinet-server), which prints the first key', async () => {
    assert.ok(existsSync(join(project, 'node_modules', '.bin', 'cabinet-server')), 'installed');
    const version = await sh('npx', ['cabinet-server', '--version'], project);
    assert.equal(version.stdout, 'cabinet-server 0.1.0\n', version.stderr);
    server = await timed('server start', () =>
      startProcess([join(project, 'node_modules', '.bin', 'cabinet-server'), '--port', '0'], { cwd: project, env: { CABINET_LOG_LEVEL: 'warn' } }),
    );
    assert.ok(server.url, server.stderr());
    apiKey = /\n {4}(cab_\S+)\n/.exec(server.stderr())?.[1] ?? assert.fail(server.stderr());
    assert.ok(existsSync(join(project, 'data', 'cabinet.db')), 'the embedded store is in ./data');
    // The web console comes from the installed package.
    const page = await fetch(`${server.url}/console/`);
    assert.equal(page.status, 200);
    const script = /src="\.\/(console\.js\?v=\w+)"/.exec(await page.text())?.[1] ?? assert.fail('no script in the console page');
    const bundle = await fetch(`${server.url}/console/${script}`);
    assert.equal(bundle.status, 200);
    assert.deepEqual(Buffer.from(await bundle.arrayBuffer()), readFileSync(join(project, 'node_modules', '@cabinet', 'server', 'dist', 'console', 'console.js')));
  });

  it('uses the client from a plain .mjs file', async () => {
    assert.ok(server?.url && apiKey, 'server started');
    await writeFile(
      join(project, 'app.mjs'),
      `import { createHash } from 'node:crypto';
import { Cabinet, NotFoundError } from '@cabinet/client';

const client = new Cabinet({ apiKey: process.env.CABINET_API_KEY, baseURL: process.env.CABINET_BASE_URL });
const content = new TextEncoder().encode('packed and installed\\n');
const file = await client.beta.files.upload({ file: ['installed.txt', content] });
const listed = [];
for await (const f of client.beta.files.list()) listed.push(f.id);
const back = await client.beta.files.download(file.id);
await client.beta.files.delete(file.id);
let gone = false;
try { await client.beta.files.retrieve(file.id); } catch (e) { gone = e instanceof NotFoundError; }
const sha = (b) => createHash('sha256').update(b).digest('hex');
console.log(JSON.stringify({ listed: listed.includes(file.id), same: sha(back) === sha(content) && sha(content) === file.sha256, gone }));
`,
    );
    const run = await sh(process.execPath, ['app.mjs'], project, { CABINET_API_KEY: apiKey, CABINET_BASE_URL: server.url });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { listed: true, same: true, gone: true });
  });

  it('runs the CLI from its command (npx @cabinet/cli)', async () => {
    assert.ok(server?.url && apiKey, 'server started');
    const env = { CABINET_API_KEY: apiKey, CABINET_BASE_URL: server.url };
    const cli = (...args: string[]): Promise<Run> => sh('npx', ['@cabinet/cli', ...args], project, env);
    assert.equal((await cli('--version')).stdout, 'cabinet 0.1.0\n');
    await writeFile(join(project, 'note.txt'), 'from the CLI\n');
    const up = await cli('upload', 'note.txt');
    assert.equal(up.code, 0, up.stderr);
    const id = up.stdout.trim();
    assert.match(id, /^file_/);
    assert.match((await cli('ls')).stdout, new RegExp(`${id}\\s+13 B\\s+user_data\\s+\\S+\\s+note\\.txt`));
    const down = await cli('download', id, '-o', 'note-copy.txt');
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await readFile(join(project, 'note-copy.txt'), 'utf8'), 'from the CLI\n');
    // keys loads the server package from the install, on the server's ./data.
    const keys = await cli('keys', 'list');
    assert.equal(keys.code, 0, keys.stderr);
    assert.match(keys.stdout, /default\s+cab_\S+\s+active\s+\S+\s+first-run/);
    assert.equal((await cli('rm', id)).code, 0);
  });

  it('type-checks a TypeScript consumer of the three packages and the server subpaths', async () => {
    await writeFile(
      join(project, 'check.mts'),
      `import { Cabinet, NotFoundError, type FileMetadata } from '@cabinet/client';
import type { FileObject } from '@cabinet/client/wire';
import { loadConfig, startServer, type RunningServer } from '@cabinet/server';
import { SqliteMetadataBackend } from '@cabinet/server/sqlite';
import { MemoryBlobStore } from '@cabinet/server/memory';

const client: Cabinet = new Cabinet({ baseURL: 'http://127.0.0.1:8080' });
const files: Promise<FileMetadata> = client.beta.files.retrieve('file_x');
const wire: Pick<FileObject, 'id'> = { id: 'file_x' };
const start: (o: { config: ReturnType<typeof loadConfig> }) => Promise<RunningServer> = startServer;
export { files, wire, start, NotFoundError, SqliteMetadataBackend, MemoryBlobStore };
`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = await timed('tsc', () =>
      sh(process.execPath, [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'check.mts'], project),
    );
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
  });

  for (const p of PACKAGES) {
    it(`runs the examples of @cabinet/${p}'s README, as shipped in the package`, async () => {
      assert.ok(server?.url && apiKey, 'server started');
      const readme = join(project, 'node_modules', '@cabinet', p, 'README.md');
      const snippets = extractSnippets(await readFile(readme, 'utf8')).filter((s) => s.kind !== 'other');
      assert.ok(snippets.some((s) => s.skip === undefined), 'at least one example runs');
      for (const snippet of snippets.filter((s) => s.skip === undefined)) {
        // Inside the project, as a user's own script would be; one directory per README.
        const cwd = join(project, `readme-${p}`);
        const result = await runSnippet(snippet, { cwd, serverUrl: server.url, apiKey });
        assert.equal(result.code, 0, failureReport(`@cabinet/${p} README.md`, snippet, result));
        assert.doesNotMatch(result.stdout, /"type":\s*"error"/, failureReport(`@cabinet/${p} README.md`, snippet, result));
      }
    });
  }

  it('stops the server cleanly', async () => {
    assert.ok(server, 'server started');
    await server.stop();
    assert.equal(server.child.exitCode, 0, server.stderr());
    server = undefined;
  });
});

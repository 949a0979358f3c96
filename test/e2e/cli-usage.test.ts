/**
 * The CLI's usage contract, on the real binaries: `--help` on every command, `--version` on the
 * CLI and the server, unknown options called unknown, a mistyped command answered with the nearest.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cabinet, ROOT, runNode, SERVER_MAIN } from './helpers/cli.js';

const cwd = tmpdir();
const version = (pkg: string): string => (JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as { version: string }).version;

describe('cabinet usage', () => {
  it('lists every command in --help, and every command has its own --help (exit 0)', async () => {
    const help = await cabinet(['--help'], { cwd });
    assert.equal(help.code, 0);
    const commands = [...help.stdout.matchAll(/^ {2}cabinet (\w+) /gm)].map((m) => m[1] ?? '');
    assert.deepEqual(commands, ['serve', 'upload', 'ls', 'info', 'download', 'rm', 'keys']);
    for (const command of commands) {
      for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
        const r = await cabinet(args, { cwd });
        assert.equal(r.code, 0, `cabinet ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^Usage: cabinet ${command}`), `cabinet ${args.join(' ')}`);
        assert.equal(r.stderr, '');
      }
    }
    // Help wins over everything else on the line, including a missing argument or a keys action.
    for (const args of [['upload', '--help'], ['keys', 'create', '--help'], ['download', 'file_x', '--help'], ['ls', '--limit', '5', '--help']]) {
      const r = await cabinet(args, { cwd });
      assert.equal(r.code, 0, `cabinet ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: /);
    }
  });

  it('documents each option in the command help', async () => {
    const download = (await cabinet(['download', '--help'], { cwd })).stdout;
    for (const option of ['-o, --output PATH', '-f, --force', '--json', '--base-url URL', '--api-key KEY', '-h, --help']) assert.ok(download.includes(option), option);
    const keys = (await cabinet(['keys', '--help'], { cwd })).stdout;
    for (const option of ['--data-dir DIR', '--database-url URL', '--init', 'cabinet keys create', 'cabinet keys revoke']) assert.ok(keys.includes(option), option);
    // serve lists the server's settings, as cabinet-server --help does.
    const serve = (await cabinet(['serve', '--help'], { cwd })).stdout;
    for (const option of ['--port', '--data-dir', '--log-format', 'CABINET_DATABASE_URL']) assert.ok(serve.includes(option), option);
  });

  it('prints its version, and so does the server', async () => {
    const cli = await cabinet(['--version'], { cwd });
    assert.equal(cli.code, 0);
    assert.equal(cli.stdout, `cabinet ${version('cli')}\n`);
    for (const flag of ['--version', '-V']) {
      const server = await runNode([SERVER_MAIN, flag], { cwd });
      assert.equal(server.code, 0, server.stderr);
      assert.equal(server.stdout, `cabinet-server ${version('server')}\n`);
    }
  });

  it('calls an unknown option unknown (exit 2), with or without a value after it', async () => {
    for (const [args, message] of [
      [['ls', '--bogus'], /^cabinet: unknown option --bogus for cabinet ls\nSee: cabinet ls --help\n$/],
      [['ls', '--bogus', '3'], /unknown option --bogus/],
      [['upload', 'a.txt', '--purpse', 'batch'], /unknown option --purpse for cabinet upload \(did you mean --purpose\?\)/],
      [['keys', 'list', '--bogus'], /unknown option --bogus for cabinet keys/],
      [['info', 'file_1', '-x'], /unknown option -x/],
      [['serve', '--bogus'], /unknown option --bogus/],
      [['ls', '--limit'], /option --limit needs a value/],
      [['ls', '--json=yes'], /option --json takes no value/],
    ] as const) {
      const r = await cabinet([...args], { cwd });
      assert.equal(r.code, 2, `cabinet ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, `cabinet ${args.join(' ')}`);
    }
    const server = await runNode([SERVER_MAIN, '--bogus'], { cwd });
    assert.equal(server.code, 2);
    assert.match(server.stderr, /^cabinet-server: unknown option --bogus; see --help\n$/);
  });

  it('answers a mistyped command with the nearest one', async () => {
    for (const [typed, meant] of [['uplod', 'upload'], ['lss', 'ls'], ['donwload', 'download'], ['list', 'ls'], ['delete', 'rm'], ['kyes', 'keys']]) {
      const r = await cabinet([typed ?? ''], { cwd });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`unknown command "${typed}"\\. Did you mean \`cabinet ${meant}\`\\?`));
    }
    const far = await cabinet(['frobnicate'], { cwd });
    assert.equal(far.code, 2);
    assert.match(far.stderr, /unknown command "frobnicate"\. Commands: serve, upload, ls, info, download, rm, keys\./);
  });
});

/** The argument parser knows each command's options: which take a value, which do not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, UsageError, wantsHelp } from '../src/args.js';
import { nearest } from '../src/nearest.js';
import { COMMANDS } from '../src/usage.js';

const usageError = (pattern: RegExp) => (err: unknown) => err instanceof UsageError && pattern.test(err.message);

describe('parseArgs', () => {
  it('takes values, flags, short aliases, = forms and positionals after --', () => {
    const args = parseArgs(['file_1', '-o', 'out.bin', '--force', '--base-url=http://h:1', '--', '--json'], 'download', COMMANDS.download);
    assert.deepEqual(args.positionals, ['file_1', '--json']);
    assert.equal(args.flags.get('output'), 'out.bin');
    assert.equal(args.flags.get('force'), true);
    assert.equal(args.flags.get('base-url'), 'http://h:1');
  });

  it('calls an unknown option unknown, with or without a value after it, and suggests the nearest', () => {
    assert.throws(() => parseArgs(['--bogus'], 'ls', COMMANDS.ls), usageError(/^unknown option --bogus for cabinet ls\n/));
    assert.throws(() => parseArgs(['--bogus', '3'], 'ls', COMMANDS.ls), usageError(/^unknown option --bogus/));
    assert.throws(() => parseArgs(['--limt', '3'], 'ls', COMMANDS.ls), usageError(/unknown option --limt .*did you mean --limit\?/));
    assert.throws(() => parseArgs(['-x'], 'ls', COMMANDS.ls), usageError(/^unknown option -x/));
    // An option of another command is unknown here.
    assert.throws(() => parseArgs(['--force'], 'ls', COMMANDS.ls), usageError(/unknown option --force/));
    // Server commands take no connection options; `keys` takes them for the Admin API (--base-url).
    assert.throws(() => parseArgs(['--base-url', 'x'], 'serve', COMMANDS.serve), usageError(/unknown option --base-url/));
    assert.equal(parseArgs(['list', '--base-url', 'x'], 'keys', COMMANDS.keys).flags.get('base-url'), 'x');
  });

  it('says a value is missing only for options that take one', () => {
    assert.throws(() => parseArgs(['--limit'], 'ls', COMMANDS.ls), usageError(/^option --limit needs a value \(--limit N\)/));
    assert.throws(() => parseArgs(['--limit', '--json'], 'ls', COMMANDS.ls), usageError(/^option --limit needs a value/));
    assert.throws(() => parseArgs(['x', '-o'], 'download', COMMANDS.download), usageError(/^option -o needs a value/));
    assert.throws(() => parseArgs(['--json=yes'], 'ls', COMMANDS.ls), usageError(/^option --json takes no value/));
    // `--help` is a flag everywhere: it never asks for a value.
    assert.equal(parseArgs(['--help'], 'upload', COMMANDS.upload).flags.get('help'), true);
    assert.equal(parseArgs(['create', '--help'], 'keys', COMMANDS.keys).flags.get('help'), true);
  });

  it('finds --help before -- only', () => {
    assert.equal(wantsHelp(['create', '--help']), true);
    assert.equal(wantsHelp(['-h']), true);
    assert.equal(wantsHelp(['--', '--help']), false);
  });
});

describe('nearest', () => {
  const commands = Object.keys(COMMANDS);
  it('suggests a command one or two edits away, or one the word begins', () => {
    assert.equal(nearest('uplod', commands), 'upload');
    assert.equal(nearest('lss', commands), 'ls');
    assert.equal(nearest('kyes', commands), 'keys');
    assert.equal(nearest('down', commands), 'download');
    assert.equal(nearest('serv', commands), 'serve');
  });
  it('suggests nothing for a word far from every command', () => {
    assert.equal(nearest('frobnicate', commands), undefined);
    assert.equal(nearest('x', commands), undefined);
  });
});

/**
 * Argument parsing on Node's own `util.parseArgs`, told each command's options (usage.ts): which
 * take a value and which do not. It tokenises (`--flag value`, `--flag=value`, `-o PATH`, `--`);
 * the checks are ours, so every mistake gets a message that names the option: an unknown one is
 * called unknown (with the nearest known one), a value missing is called missing.
 */
import { parseArgs as tokenize } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { nearest } from './nearest.js';
import { CONNECTION_OPTIONS, HELP_OPTION } from './usage.js';
import type { CommandSpec, OptionSpec } from './usage.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `argv` against a command's options (its own, the connection options for client
 * commands, and `--help`).
 * @throws UsageError for an unknown option, a missing value, or a value given to a flag.
 */
export function parseArgs(argv: readonly string[], command: string, spec: CommandSpec): ParsedArgs {
  const known: OptionSpec[] = [...spec.options, ...(spec.client ? CONNECTION_OPTIONS : []), HELP_OPTION];
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of known) options[o.name] = { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}), multiple: false };
  // Not strict: parseArgs then accepts anything and reports it as tokens, which are checked below.
  const { tokens } = tokenize({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const option = known.find((o) => o.name === token.name);
    if (!option) {
      const guess = token.rawName.startsWith('--') ? nearest(token.name, known.map((o) => o.name)) : undefined;
      throw new UsageError(`unknown option ${token.rawName} for cabinet ${command}${guess ? ` (did you mean --${guess}?)` : ''}\nSee: cabinet ${command} --help`);
    }
    if (option.value) {
      // parseArgs takes the next argument as the value even when it looks like an option
      // (`--limit --json`): that is nearly always a forgotten value.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-')) {
        throw new UsageError(`option ${token.rawName} needs a value (${token.rawName} ${option.value})\nSee: cabinet ${command} --help`);
      }
      flags.set(option.name, token.value);
    } else {
      if (token.inlineValue) throw new UsageError(`option ${token.rawName} takes no value\nSee: cabinet ${command} --help`);
      flags.set(option.name, true);
    }
  }
  return { positionals, flags };
}

/** The value of a flag that takes one, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Whether `--help` or `-h` comes before any `--`: the command is not run, its help is shown. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

export function positiveInteger(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(raw);
}

/** A small argv parser: positionals, `--flag value`, `--flag=value`, boolean flags and `-o`. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * @param booleans flags that take no value (e.g. `json`, `all`).
 * @param aliases short flags mapped to long ones (e.g. `o` → `output`).
 */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = [], aliases: Record<string, string> = {}): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const long = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    const short = /^-([a-zA-Z])$/.exec(arg);
    const name = long?.[1] ?? (short?.[1] ? aliases[short[1]] : undefined);
    if (!long && !short) {
      positionals.push(arg);
      continue;
    }
    if (!name) throw new UsageError(`unknown option ${arg}`);
    if (booleans.includes(name)) {
      flags.set(name, true);
      continue;
    }
    const inline = long?.[2];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option ${arg} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

/** The value of a flag that takes one, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Refuses flags the command does not know. */
export function allowFlags(args: ParsedArgs, allowed: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}

export function positiveInteger(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(raw);
}

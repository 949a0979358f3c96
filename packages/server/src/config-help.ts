/** Help text for the settings, generated from the one table in config.ts. */
import { flagName, OPTIONS } from './config.js';

export function configHelp(): string {
  const rows = OPTIONS.map((o) => {
    const def = Array.isArray(o.defaultValue) ? '(none)' : String(o.defaultValue);
    return `  --${flagName(o.env).padEnd(22)} ${o.env.padEnd(32)} ${o.description} Default: ${def}.`;
  });
  return `Options (flags override environment variables):\n${rows.join('\n')}`;
}

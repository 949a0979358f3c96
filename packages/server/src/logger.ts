/**
 * The server's logger: pino, writing JSON lines to stdout (for log collectors), or the same records
 * rendered for people by pino-pretty (loaded only then). `CABINET_LOG_FORMAT=auto`, the default,
 * picks pretty when stdout is a terminal and JSON otherwise.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config.js';

export async function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, options: { tty: boolean }): Promise<Logger> {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && options.tty);
  if (!pretty) return pino({ level: config.logLevel, base: null });
  const { default: prettyStream } = await import('pino-pretty');
  // In-process and synchronous: no worker thread for a terminal's few lines a second, and nothing
  // lost when the process exits right after its last line.
  const stream = prettyStream({ colorize: options.tty, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, sync: true, destination: 1 });
  return pino({ level: config.logLevel, base: null }, stream);
}

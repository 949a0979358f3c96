/** What the server says when it starts (`cabinet-server` and `cabinet serve` alike). */
import type { Config } from './config.js';
import type { RunningServer } from './server.js';

/** The ready line (tests and scripts wait for it) and, on a first start, the new key. */
export function startupMessage(running: RunningServer, config: Config): string {
  const { metadata, blobs } = running.app.stores;
  let text = '';
  if (running.firstApiKey) {
    const where = metadata.name === 'postgres' ? 'the PostgreSQL database' : `${config.dataDir}/cabinet.db`;
    text += announceFirstKey(running.firstApiKey, where);
  }
  text += `Cabinet is serving the Files API at ${running.url}/v1/files (metadata: ${metadata.name}, blobs: ${blobs.name})\n`;
  if (config.upstream !== '') text += `Messages gateway: ${running.url}/v1/messages → the ${config.upstream} upstream${config.upstreamUrl ? ` (${config.upstreamUrl})` : ''}\n`;
  return text;
}

/** The first start creates a key; it is printed once, and only its hash is stored. */
export function announceFirstKey(secret: string, storedIn: string): string {
  return (
    [
      '',
      'No API keys were configured, so Cabinet created one for workspace "default":',
      '',
      `    ${secret}`,
      '',
      'It is shown only this once: only its SHA-256 hash is stored, in',
      `${storedIn}. Use it as x-api-key / ANTHROPIC_API_KEY / CABINET_API_KEY.`,
      'Make more with `cabinet keys create`, or set CABINET_API_KEYS=key1,key2.',
      '',
    ].join('\n') + '\n'
  );
}

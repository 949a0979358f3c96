/** What the server says when it starts (`cabinet-server` and `cabinet serve` alike). */
import type { Config } from './config.js';
import type { RunningServer } from './server.js';
import { sqliteDatabasePath } from './storage/create-stores.js';

/**
 * The ready line (tests and scripts wait for it), preceded on a first start by the new key, and on
 * a start that relies on stored keys alone by how to make another: a lost key is never a dead end.
 */
export function startupMessage(running: Pick<RunningServer, 'app' | 'url' | 'firstApiKey' | 'storedApiKeys'>, config: Config): string {
  const { metadata, blobs } = running.app.stores;
  let text = '';
  if (running.firstApiKey) {
    text += announceFirstKey(running.firstApiKey, keyStore(metadata.name, config));
  } else if (config.apiKeys.length === 0 && running.storedApiKeys > 0 && metadata.name !== 'memory') {
    const count = running.storedApiKeys === 1 ? '1 API key' : `${running.storedApiKeys} API keys`;
    text += `\n${count} stored in ${keyStore(metadata.name, config).where}; none set in CABINET_API_KEYS. To make a new one:\n`;
    text += `    ${keysCreateCommand(metadata.name, config)}\n\n`;
  }
  text += `Cabinet is serving the Files API at ${running.url}/v1/files (metadata: ${metadata.name}, blobs: ${blobs.name})\n`;
  if (config.upstream !== '') text += `Messages gateway: ${running.url}/v1/messages → the ${config.upstream} upstream${config.upstreamUrl ? ` (${config.upstreamUrl})` : ''}\n`;
  return text;
}

export interface KeyStore {
  /** Where the key's hash is kept, in words. */
  where: string;
  /** The command that makes another key in that store; absent for a store in memory. */
  create?: string;
}

/** The first start creates a key; it is printed once, and only its hash is stored. */
export function announceFirstKey(secret: string, store: KeyStore): string {
  const lines = ['', 'No API keys were configured, so Cabinet created one for workspace "default":', '', `    ${secret}`, ''];
  if (store.create === undefined) {
    lines.push(
      `The store is ${store.where}: this key, like every file, lasts only until the server`,
      'stops; the next start makes a new one. Set CABINET_API_KEYS=key1,key2 for keys that stay.',
    );
  } else {
    lines.push(
      `It is shown only this once: only its SHA-256 hash is stored, in ${store.where}.`,
      'Use it as CABINET_API_KEY (read by the cabinet CLI and @cabinet/client), or as the x-api-key',
      "header and the official SDKs' apiKey. Make more with (the cabinet command is @cabinet/cli):",
      `    ${store.create}`,
      'or set CABINET_API_KEYS=key1,key2.',
    );
  }
  return `${lines.join('\n')}\n\n`;
}

function keyStore(metadataName: string, config: Config): KeyStore {
  if (metadataName === 'memory') return { where: 'in memory (--store memory)' };
  const where = metadataName === 'postgres' ? 'the PostgreSQL database (CABINET_DATABASE_URL)' : sqliteDatabasePath(config.dataDir);
  return { where, create: keysCreateCommand(metadataName, config) };
}

function keysCreateCommand(metadataName: string, config: Config): string {
  // The connection string holds a password: name the variable, never print its value.
  const store = metadataName === 'postgres' ? '--database-url "$CABINET_DATABASE_URL"' : `--data-dir ${shellQuote(config.dataDir)}`;
  return `cabinet keys create ${store} --name NAME`;
}

/** A path as a POSIX shell reads it back: quoted only when it needs to be. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

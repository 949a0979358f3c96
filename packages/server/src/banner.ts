/** What the server says when it had to make the first API key itself. */

/** The first start creates a key; it is printed once, and only its hash is stored. */
export function announceFirstKey(secret: string, dataDir: string): string {
  return (
    [
      '',
      'No API keys were configured, so Cabinet created one for workspace "default":',
      '',
      `    ${secret}`,
      '',
      'It is shown only this once: only its SHA-256 hash is stored, in',
      `${dataDir}/cabinet.db. Use it as x-api-key / ANTHROPIC_API_KEY / CABINET_API_KEY.`,
      'Make more with `cabinet keys create`, or set CABINET_API_KEYS=key1,key2.',
      '',
    ].join('\n') + '\n'
  );
}

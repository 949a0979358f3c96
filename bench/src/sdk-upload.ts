/**
 * One client's uploads, in a process of its own so that its peak RSS is its own:
 *   node sdk-upload.js <cabinet|anthropic|fetch> <baseURL> <apiKey> <path> <count>
 * Prints one JSON line: seconds per upload, the process's peak RSS, and what the server answered.
 * Each client is used the way its documentation shows for a file on disk.
 */
import { createReadStream, openAsBlob, readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface Stored {
  id: string;
  size_bytes: number;
  sha256?: string;
}

type Upload = (path: string) => Promise<Stored>;

/** Loads only the client measured, so that its process's RSS holds no other client's code. */
async function client(kind: string, baseURL: string, apiKey: string): Promise<Upload> {
  switch (kind) {
    case 'cabinet': {
      const { Cabinet, fileFromPath } = await import('@cabinet/client');
      const cabinet = new Cabinet({ apiKey, baseURL });
      return async (path) => cabinet.beta.files.upload({ file: await fileFromPath(path), purpose: 'user_data' });
    }
    case 'anthropic': {
      const { default: Anthropic, toFile } = await import('anthropic-sdk-1');
      const anthropic = new Anthropic({ apiKey, baseURL });
      // The official SDK's documented way to upload a file from disk.
      return async (path) =>
        (await anthropic.beta.files.upload({ file: await toFile(createReadStream(path), basename(path)) })) as unknown as Stored;
    }
    case 'fetch':
      return async (path) => {
        const form = new FormData();
        // openAsBlob reads the file lazily as fetch sends it.
        form.append('file', await openAsBlob(path), basename(path));
        form.append('purpose', 'user_data');
        const res = await fetch(`${baseURL}/v1/files`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
          body: form,
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        return (await res.json()) as Stored;
      };
    default:
      throw new Error(`unknown client ${kind}`);
  }
}

const [kind = '', baseURL = '', apiKey = '', path = '', countText = '1'] = process.argv.slice(2);
const count = Number(countText);
const upload = await client(kind, baseURL, apiKey);
const ids: string[] = [];
// Repeated small uploads: the first one (connection, JIT) is not timed.
if (count > 1) ids.push((await upload(path)).id);
const started = performance.now();
let last: Stored | undefined;
for (let i = 0; i < count; i++) {
  last = await upload(path);
  ids.push(last.id);
}
const seconds = (performance.now() - started) / 1000 / count;
const status = readFileSync('/proc/self/status', 'utf8');
const peakRssBytes = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
process.stdout.write(`${JSON.stringify({ seconds, peakRssBytes, ids, sizeBytes: last?.size_bytes, sha256: last?.sha256 })}\n`);

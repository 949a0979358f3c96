/**
 * The tus peer, in a process of its own: `@tus/server` with `@tus/file-store` on loopback, set up
 * as its README shows (`new Server({ path, datastore: new FileStore({ directory }) })`), nothing
 * tuned. Usage: node tus-server.js <directory> <port>. Prints `listening` when it accepts requests.
 *
 * tus neither hashes an upload nor flushes it to disk before answering: its figures are what
 * a server that does neither can do, beside Cabinet, which does both.
 */
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const [directory, port] = process.argv.slice(2);
if (!directory || !port) throw new Error('usage: tus-server.js <directory> <port>');
const server = new Server({ path: '/files', datastore: new FileStore({ directory }) });
const http = server.listen({ host: '127.0.0.1', port: Number(port) }, () => console.log('listening'));
process.on('SIGTERM', () => http.close(() => process.exit(0)));

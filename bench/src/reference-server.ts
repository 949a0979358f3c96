/**
 * The machine's reference for small answers: a bare `node:http` server that answers every request
 * with one fixed JSON body (`argv[2]`) and the headers Cabinet sends with a file object, and does
 * nothing else: no routing, no key, no lookup. What no Node server can go above on this machine at
 * that moment; scenario 3 runs it interleaved with Cabinet's metadata GETs, so a run whose machine
 * is slower shows it in both (docs/performance.md, "The machine's speed varies").
 * Usage: node reference-server.js <body> <port>. Prints `listening` when it accepts requests.
 */
import http from 'node:http';

const [body, port] = process.argv.slice(2);
if (body === undefined || !port) throw new Error('usage: reference-server.js <body> <port>');
const length = Buffer.byteLength(body);
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    'request-id': 'req_0000000000000000000000000000',
    'x-content-type-options': 'nosniff',
    'content-type': 'application/json',
    'content-length': length,
  });
  res.end(body);
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

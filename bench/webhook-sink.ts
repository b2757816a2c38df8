import { createServer } from 'node:http';

/**
 * A webhook receiver in its own process for the bench (so its CPU is not the engine's): answers
 * every POST with 200 and counts them; `GET /count` answers `{"received": n}`. Prints its URL as
 * the first line of stdout. Usage: node --import tsx bench/webhook-sink.ts
 */
let received = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/count') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received }));
    return;
  }
  request.resume();
  request.on('end', () => {
    received += 1;
    response.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

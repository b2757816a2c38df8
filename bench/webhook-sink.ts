import { createServer } from 'node:http';

/**
 * A webhook receiver in its own process for the benches (so its CPU is not the engine's): answers
 * every POST with 200 and counts them; `GET /count` answers `{"received": n, "lagP50Ms", "lagP99Ms"}`,
 * where a message's lag is the time from its `timestamp` (the change, on the engine's system
 * clock) to its arrival. Prints its URL as the first line of stdout.
 * Usage: node --import tsx bench/webhook-sink.ts
 */
let received = 0;
const lags: number[] = [];
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/count') {
    const sorted = [...lags].sort((a, b) => a - b);
    const at = (q: number): number | null => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received, lagP50Ms: at(0.5), lagP99Ms: at(0.99) }));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received += 1;
    // Sampled: one lag in four is kept, so a long run's memory stays small.
    if (received % 4 === 0) {
      const timestamp = /"timestamp":"([^"]+)"/.exec(Buffer.concat(chunks).toString())?.[1];
      if (timestamp !== undefined) lags.push(Date.now() - Date.parse(timestamp));
    }
    response.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
// At once: keep-alive connections would hold a graceful close open.
process.on('SIGTERM', () => process.exit(0));

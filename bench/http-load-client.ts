/**
 * A load generator in its own process (so it does not share the engine's main thread): posts
 * batches of `batchSize` track events to `url` from `concurrency` loops for `durationMs`, then
 * prints one JSON line `{events, seconds, non200}`. Bodies are prebuilt; only messageIds change.
 * Usage: node --import tsx bench/http-load-client.ts <url> <batchSize> <concurrency> <durationMs>
 */
const [url, batchSizeArg, concurrencyArg, durationArg] = process.argv.slice(2);
const batchSize = Number(batchSizeArg ?? 100);
const concurrency = Number(concurrencyArg ?? 16);
const durationMs = Number(durationArg ?? 5000);
const auth = `Basic ${Buffer.from('dev-write-key:').toString('base64')}`;
const T0 = Date.now();

function body(request: number): string {
  const batch = Array.from({ length: batchSize }, (_, j) => {
    const i = request * batchSize + j;
    return {
      type: j % 10 === 0 ? 'identify' : 'track',
      userId: `user-${i % 20_000}`,
      anonymousId: `anon-${i % 20_000}`,
      event: 'Order Completed',
      messageId: `${process.pid}-${i}`,
      properties: { total: i % 300, currency: 'USD' },
      traits: { plan: i % 2 === 0 ? 'pro' : 'free' },
      context: { library: { name: 'analytics-node', version: '3.1.0' } },
      timestamp: new Date(T0 + i).toISOString(),
    };
  });
  return JSON.stringify({ batch, sentAt: new Date().toISOString() });
}

let sent = 0;
let non200 = 0;
let next = 0;
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() - start < durationMs) {
      const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: body(next++) });
      await response.arrayBuffer();
      if (response.status === 200) sent += batchSize;
      else non200++;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ events: sent, seconds: (performance.now() - start) / 1000, non200 })}\n`);

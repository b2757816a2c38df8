import { Agent } from 'undici';
import { requestRetrying } from './request-retrying.ts';

/**
 * The load bench's Profile API client, in a process of its own: trait lookups of random bench
 * users at up to `rate` per second from `concurrency` connections while ingestion runs, for
 * `durationMs`. A user not created yet answers 404, which is timed like any lookup.
 * Prints one JSON line: lookups, seconds, found (200), p50/p99 latency, its own CPU.
 * Usage: node --import tsx bench/load/lookup-client.ts <url> <profiles> <rate> <concurrency> <durationMs>
 */
const [url, profilesArg, rateArg, concurrencyArg, durationArg] = process.argv.slice(2);
const profiles = Number(profilesArg);
const rate = Number(rateArg);
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg);
const auth = `Basic ${Buffer.from('dev-access-token:').toString('base64')}`;
const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
const latencies: number[] = [];
let found = 0;
let seed = 12345;
const nextIndex = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % profiles;
};
const cpuBefore = process.cpuUsage();
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() - start < durationMs) {
      // Paced: no faster than `rate` overall.
      const due = start + (latencies.length / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `u-p${String(nextIndex()).padStart(7, '0')}`;
      const began = performance.now();
      const response = await requestRetrying(`${url}/v1/spaces/default/collections/users/profiles/user_id:${id}/traits?limit=200`, { headers: { authorization: auth }, dispatcher });
      await response.body.dump();
      latencies.push(performance.now() - began);
      if (response.statusCode === 200) found += 1;
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
await dispatcher.close();
process.stdout.write(`${JSON.stringify({ lookups: latencies.length, seconds, found, p50Ms: at(0.5), p99Ms: at(0.99), cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);

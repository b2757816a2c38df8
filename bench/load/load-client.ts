import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { requestRetrying } from './request-retrying.ts';

/**
 * One load-generator process of the load bench: reads its share of the pre-encoded request bodies
 * (every `count`-th line of the file, from `index`) before it starts the clock, then posts them to
 * `/v1/batch` from `concurrency` keep-alive connections until they run out or `durationMs` passes.
 * Prints one JSON line: events sent, seconds, non-200s (429s apart), request latency p50/p99,
 * events per second second by second, and its own CPU.
 * Usage: node --import tsx bench/load/load-client.ts <url> <bodiesFile> <index> <count> <concurrency> <durationMs>
 */
const [url, file, indexArg, countArg, concurrencyArg, durationArg] = process.argv.slice(2);
const index = Number(indexArg);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg);
const auth = `Basic ${Buffer.from('dev-write-key:').toString('base64')}`;

const bodies: Array<{ body: string; events: number }> = [];
readFileSync(file!, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    if (line === '' || i % count !== index) return;
    const tab = line.indexOf('\t');
    bodies.push({ events: Number(line.slice(0, tab)), body: line.slice(tab + 1) });
  });

const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
const latencies: number[] = [];
const perSecond: number[] = [];
/** Request latencies second by second, for the run's p99 over time. */
const latencyBySecond: number[][] = [];
let sent = 0;
let non200 = 0;
let throttled = 0;
let next = 0;
const cpuBefore = process.cpuUsage();
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < bodies.length && performance.now() - start < durationMs) {
      const item = bodies[next++]!;
      const began = performance.now();
      const response = await requestRetrying(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: item.body, dispatcher });
      await response.body.dump();
      const ended = performance.now();
      latencies.push(ended - began);
      (latencyBySecond[Math.floor((ended - start) / 1000)] ??= []).push(ended - began);
      if (response.statusCode === 200) {
        sent += item.events;
        const second = Math.floor((ended - start) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + item.events;
      } else if (response.statusCode === 429) {
        throttled += 1;
        // Backpressure: the engine asked to wait; the body is sent again later.
        bodies.push(item);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else non200 += 1;
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
await dispatcher.close();
process.stdout.write(
  `${JSON.stringify({ events: sent, seconds, non200, throttled, p50Ms: at(0.5), p99Ms: at(0.99), perSecond: Array.from(perSecond, (n) => n ?? 0), p99BySecond: Array.from(latencyBySecond, (list) => (list === undefined ? 0 : list.sort((a, b) => a - b)[Math.floor(list.length * 0.99)] ?? 0)), cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);

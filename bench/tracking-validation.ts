import { z } from 'zod';
import { parseTrackingRequest } from '../src/ingest/parse-request.ts';
import { processCpuUs } from './load/cpu-cost.ts';

/**
 * Why the Tracking API's bodies are not zod schemas (issue 11 lets the hot path stay hand-written
 * where a measurement says so). The same batch bodies go through the engine's own parser
 * (`parseTrackingRequest`: JSON, limits, an iterative shape walk, sizes, types, ids, timestamps
 * with skew correction) and through a zod schema of only the field types and required fields
 * (`JSON.parse` then `safeParse`), so the zod row is a lower bound for a zod version of the
 * parser. CPU per event, the fastest of nine interleaved passes of each, one run.
 * Run: `node --import tsx bench/tracking-validation.ts`.
 */
const T0 = Date.UTC(2026, 10, 30);
const bodies = Array.from({ length: 500 }, (_, request) =>
  JSON.stringify({
    batch: Array.from({ length: 100 }, (_, j) => {
      const i = request * 100 + j;
      return {
        type: j % 10 === 0 ? 'identify' : 'track',
        userId: `user-${i % 20_000}`,
        anonymousId: `anon-${i % 20_000}`,
        event: 'Order Completed',
        messageId: `m-${i}`,
        properties: { total: i % 300, currency: 'USD' },
        traits: { plan: i % 2 === 0 ? 'pro' : 'free' },
        context: { library: { name: 'analytics-node', version: '3.1.0' } },
        timestamp: new Date(T0 + i).toISOString(),
      };
    }),
    sentAt: new Date(T0).toISOString(),
  }),
);
const events = bodies.length * 100;

const json = z.record(z.string(), z.unknown());
const call = z.object({
  type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias']),
  userId: z.string().min(1).max(1024).optional(),
  anonymousId: z.string().min(1).max(1024).optional(),
  event: z.string().min(1).max(1024).optional(),
  messageId: z.string().min(1).max(1024).optional(),
  properties: json.optional(),
  traits: json.optional(),
  context: json.optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});
const batch = z.object({ batch: z.array(call).max(10_000), sentAt: z.iso.datetime({ offset: true }).optional() });

const passes = {
  parse: () => {
    for (const body of bodies) JSON.parse(body);
  },
  engine: () => {
    for (const body of bodies) if (!parseTrackingRequest({ route: 'batch', body, receivedAt: T0 }).ok) throw new Error('refused');
  },
  zod: () => {
    for (const body of bodies) if (!batch.safeParse(JSON.parse(body)).success) throw new Error('refused');
  },
};
// Interleaved, so a noisy moment of the machine lands on every row alike; the fastest pass counts.
const best = { parse: Number.POSITIVE_INFINITY, engine: Number.POSITIVE_INFINITY, zod: Number.POSITIVE_INFINITY };
for (let round = 0; round < 10; round++) {
  for (const name of ['parse', 'engine', 'zod'] as const) {
    const before = processCpuUs();
    passes[name]();
    if (round > 0) best[name] = Math.min(best[name], processCpuUs() - before);
  }
}
const [parseUs, engineUs, zodUs] = [best.parse / events, best.engine / events, best.zod / events];
console.log(`CPU per event (fastest of nine interleaved passes over ${events.toLocaleString('en-US')} events):`);
console.log(`  JSON.parse alone                                   ${parseUs.toFixed(2)} µs`);
console.log(`  the engine's parser (every check, normalised)      ${engineUs.toFixed(2)} µs`);
console.log(`  JSON.parse + a zod schema of types and required    ${zodUs.toFixed(2)} µs (checks a fraction of the above)`);

import { Agent } from 'undici';
import { requestRetrying } from './request-retrying.ts';

export interface FreshnessSample {
  /** When the probe's event was acknowledged, ms since probing began. */
  readonly at: number;
  /** From the 200 to the membership being visible through the Profile API. */
  readonly ms: number;
}

/** The probe audience: the fixture's `audience_0` (`event('Order Completed').within(7 days).count() >= 2`). */
const PROBE_KEY = 'audience_0';

/**
 * Freshness probes while ingestion runs: every 200 ms a new probe user sends two `Order
 * Completed` events (which make them a member of `audience_0`); the time from the 200 until a
 * Profile API lookup shows the membership is one sample. Polled every 2 ms, so a sample is exact
 * to a few ms.
 */
export async function measureFreshness(url: string, running: () => boolean, samples: FreshnessSample[]): Promise<void> {
  const write = `Basic ${Buffer.from('dev-write-key:').toString('base64')}`;
  const read = `Basic ${Buffer.from('dev-access-token:').toString('base64')}`;
  const dispatcher = new Agent({ connections: 2 });
  const began = performance.now();
  let probe = 0;
  while (running()) {
    const userId = `probe-${process.pid}-${probe++}`;
    const now = new Date().toISOString();
    const body = JSON.stringify({
      batch: [0, 1].map((i) => ({ type: 'track', userId, event: 'Order Completed', properties: { total: 1 }, messageId: `${userId}-${i}`, timestamp: now })),
    });
    const response = await requestRetrying(`${url}/v1/batch`, { method: 'POST', headers: { authorization: write, 'content-type': 'application/json' }, body, dispatcher });
    await response.body.dump();
    const acked = performance.now();
    if (response.statusCode === 200) {
      while (performance.now() - acked < 5_000) {
        const lookup = await requestRetrying(`${url}/v1/spaces/default/collections/users/profiles/user_id:${userId}/traits?class=audience&limit=200`, { headers: { authorization: read }, dispatcher });
        const traits = lookup.statusCode === 200 ? ((await lookup.body.json()) as { traits: Record<string, unknown> }).traits : (await lookup.body.dump(), {});
        if (traits[PROBE_KEY] === true) {
          samples.push({ at: acked - began, ms: performance.now() - acked });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await dispatcher.close();
}

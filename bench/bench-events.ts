import type { ActorMessage } from '../src/actors/actor-message.ts';
import { parseTrackingRequest } from '../src/ingest/parse-request.ts';
import type { TrackedEvent } from '../src/ingest/tracked-event.ts';
import { asSpaceId, type ProfileId } from '../src/shared/ids.ts';
import { BENCH_EVENT_NAMES } from './definitions-fixture.ts';

/** The micro benches' space and the instant their event time starts at. */
export const BENCH_SPACE = asSpaceId('default');
export const BENCH_T0 = Date.UTC(2026, 0, 1);

/** One Tracking API batch item: one in five an identify, over 5,000 users. */
export function sampleItem(i: number): Record<string, unknown> {
  return {
    type: i % 5 === 0 ? 'identify' : 'track',
    userId: `user-${i % 5000}`,
    anonymousId: `anon-${i % 5000}`,
    event: 'Order Completed',
    messageId: `m-${i}-${Math.random().toString(36).slice(2)}`,
    properties: { total: i % 300, currency: 'USD', items: [{ sku: 'A-1', qty: 2 }] },
    traits: { email: `user-${i % 5000}@example.com`, plan: 'pro' },
    context: { library: { name: 'analytics-node', version: '3.1.0' }, ip: '127.0.0.1' },
    timestamp: new Date(BENCH_T0 + i).toISOString(),
  };
}

export function batchBody(size: number, offset: number): string {
  return JSON.stringify({ batch: Array.from({ length: size }, (_, i) => sampleItem(offset + i)), sentAt: new Date(BENCH_T0).toISOString() });
}

/** `count` sample items as the Tracking API validates them. */
export function validatedEvents(count: number): TrackedEvent[] {
  const parsed = parseTrackingRequest({ route: 'batch', body: batchBody(count, 0), receivedAt: BENCH_T0 });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.items.map((item) => {
    if (!item.ok) throw new Error(item.error.message);
    return { ...item.event, messageId: item.event.messageId ?? 'm', sourceId: 'src_bench' };
  });
}

/** Bench events spread over ten event names, so definitions see a realistic share of them. */
export function namedEvents(count: number): TrackedEvent[] {
  return validatedEvents(count).map((event, i) => (event.type === 'track' ? { ...event, event: BENCH_EVENT_NAMES[i % BENCH_EVENT_NAMES.length]! } : event));
}

/** A track message for a profile known by its user id. */
export function knownTrack(profileId: ProfileId, event: TrackedEvent): ActorMessage {
  return {
    type: 'profile.track',
    profileId,
    spaceId: BENCH_SPACE,
    event,
    newIdentifiers: [{ type: 'user_id', value: profileId, addedAt: BENCH_T0, firstMessageId: 'm', sourceId: 'src' }],
  };
}

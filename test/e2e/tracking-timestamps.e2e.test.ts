import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { advanceClock, eventsOf, post, SUCCESS, traitsOf } from './tracking-http.ts';

// Contract "Tracking API" (Timestamps) and "Details fixed" (Timestamps). The engine runs on a
// manual clock, so `receivedAt` is exactly the clock's time and corrected timestamps can be
// compared to the millisecond.

const SECOND = 1_000;
const HOUR = 60 * 60 * SECOND;

let server: TestServer;
let url: string;
/** The engine's time; the clock never moves in this file except where a test says so. */
let now: number;

beforeAll(async () => {
  server = await startTestServer({ clock: 'manual' });
  url = server.url;
  now = await advanceClock(url, 0);
});

afterAll(async () => {
  await server.destroy();
});

const iso = (at: number): string => new Date(at).toISOString();

async function storedTimestamps(userId: string): Promise<Record<string, string>> {
  const events = (await eventsOf(url, userId)) ?? [];
  return Object.fromEntries(events.map((e) => [e.message_id, e.timestamp]));
}

describe('clock skew correction: timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
  it('a device clock 1 hour fast: timestamp and sentAt both 1 hour ahead → stored at receivedAt exactly', async () => {
    const body = { userId: 'skew-same', event: 'E', messageId: 'skew-same', timestamp: iso(now + HOUR), sentAt: iso(now + HOUR) };
    const result = await post(url, '/v1/track', body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect(await storedTimestamps('skew-same')).toEqual({ 'skew-same': iso(now) });
  });

  it('an event 5 s before sending on a clock 1 hour fast → stored 5 s before receivedAt', async () => {
    const body = { userId: 'skew-offset', event: 'E', messageId: 'skew-offset', timestamp: iso(now + HOUR - 5 * SECOND), sentAt: iso(now + HOUR) };
    await post(url, '/v1/track', body);
    expect(await storedTimestamps('skew-offset')).toEqual({ 'skew-offset': iso(now - 5 * SECOND) });
  });

  it('a device clock 1 hour slow is corrected forward', async () => {
    const body = { userId: 'skew-slow', event: 'E', messageId: 'skew-slow', timestamp: iso(now - HOUR - 250), sentAt: iso(now - HOUR) };
    await post(url, '/v1/track', body);
    expect(await storedTimestamps('skew-slow')).toEqual({ 'skew-slow': iso(now - 250) });
  });

  it('`originalTimestamp` is read when `timestamp` is absent (RudderStack)', async () => {
    const body = { userId: 'skew-original', event: 'E', messageId: 'skew-original', originalTimestamp: iso(now + HOUR - 7 * SECOND), sentAt: iso(now + HOUR) };
    await post(url, '/v1/track', body);
    expect(await storedTimestamps('skew-original')).toEqual({ 'skew-original': iso(now - 7 * SECOND) });
  });

  it('without sentAt, `timestamp` is taken as given; with no time at all, receivedAt', async () => {
    await post(url, '/v1/track', { userId: 'skew-none', event: 'E', messageId: 'given', timestamp: iso(now - 3 * HOUR) });
    await post(url, '/v1/track', { userId: 'skew-none', event: 'E', messageId: 'absent' });
    expect(await storedTimestamps('skew-none')).toEqual({ given: iso(now - 3 * HOUR), absent: iso(now) });
  });

  it('the batch envelope’s sentAt applies to every item without its own', async () => {
    const body = {
      sentAt: iso(now + HOUR),
      batch: [
        { type: 'track', userId: 'skew-batch', event: 'E', messageId: 'envelope', timestamp: iso(now + HOUR - 10 * SECOND) },
        { type: 'page', userId: 'skew-batch', name: 'Home', messageId: 'own', timestamp: iso(now - 20 * SECOND), sentAt: iso(now) },
        { type: 'screen', userId: 'skew-batch', name: 'Home', messageId: 'untimed' },
      ],
    };
    const result = await post(url, '/v1/batch', body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect(await storedTimestamps('skew-batch')).toEqual({
      envelope: iso(now - 10 * SECOND),
      own: iso(now - 20 * SECOND),
      untimed: iso(now),
    });
  });
});

describe('identify traits: the latest timestamp wins, not the last arrival', () => {
  it('a newer value sent first is kept when an older one arrives after it', async () => {
    const userId = 'traits-order';
    await post(url, '/v1/identify', { userId, traits: { plan: 'pro' }, timestamp: iso(now - 1 * HOUR) });
    await post(url, '/v1/identify', { userId, traits: { plan: 'free', seats: 2 }, timestamp: iso(now - 2 * HOUR) });
    expect(await traitsOf(url, userId)).toEqual({ plan: 'pro', seats: 2 });
  });

  it('the latest timestamp wins within one batch, too', async () => {
    const userId = 'traits-batch';
    const body = {
      batch: [
        { type: 'identify', userId, traits: { plan: 'enterprise' }, timestamp: iso(now - 1 * HOUR) },
        { type: 'identify', userId, traits: { plan: 'free' }, timestamp: iso(now - 2 * HOUR) },
      ],
    };
    await post(url, '/v1/batch', body);
    expect(await traitsOf(url, userId)).toEqual({ plan: 'enterprise' });
  });

  it('`null` removes a trait; an older `null` does not remove a newer value', async () => {
    const userId = 'traits-null';
    await post(url, '/v1/identify', { userId, traits: { plan: 'pro', seats: 3, role: 'admin' }, timestamp: iso(now - 2 * HOUR) });
    await post(url, '/v1/identify', { userId, traits: { plan: null }, timestamp: iso(now - 1 * HOUR) });
    await post(url, '/v1/identify', { userId, traits: { seats: null }, timestamp: iso(now - 3 * HOUR) });
    expect(await traitsOf(url, userId)).toEqual({ seats: 3, role: 'admin' });
    // A value older than the removal does not bring the trait back; a newer one does.
    await post(url, '/v1/identify', { userId, traits: { plan: 'free' }, timestamp: iso(now - 90 * 60 * SECOND) });
    expect(await traitsOf(url, userId)).toEqual({ seats: 3, role: 'admin' });
    await post(url, '/v1/identify', { userId, traits: { plan: 'team' }, timestamp: iso(now - 30 * 60 * SECOND) });
    expect(await traitsOf(url, userId)).toEqual({ plan: 'team', seats: 3, role: 'admin' });
  });

  it('the winning timestamp is the skew-corrected one', async () => {
    const userId = 'traits-skew';
    // Sent from a clock 1 hour fast: corrected to now − 1 min, newer than the one below.
    await post(url, '/v1/identify', { userId, traits: { plan: 'pro' }, timestamp: iso(now + HOUR - 60 * SECOND), sentAt: iso(now + HOUR) });
    // Looks newer as sent, but is now − 2 min once corrected.
    await post(url, '/v1/identify', { userId, traits: { plan: 'free' }, timestamp: iso(now + 2 * HOUR - 120 * SECOND), sentAt: iso(now + 2 * HOUR) });
    expect(await traitsOf(url, userId)).toEqual({ plan: 'pro' });
  });
});

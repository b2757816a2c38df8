import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStore } from '../../src/store/engine-store.ts';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { advanceClock, eventsOf, post, SUCCESS } from './tracking-http.ts';

// Issue 9, growth over a long life: dedup marks were kept forever (~60 bytes per event). They
// are now kept for `dedupWindowHours` (default 168 = 7 days, never under the contract's 24 h) and
// swept in the background; on the manual clock, `POST /v1/admin/clock` returns after the sweep.

const HOUR = 60 * 60 * 1000;
const WINDOW = 168 * HOUR;

function markOf(store: EngineStore, messageId: string): { mark: number | undefined; expiryEntries: number } {
  const mark = store.dedup.get(['default', messageId]);
  const expiryEntries = [...store.dedupExpiry.getKeys()].filter((key) => key[1] === 'default' && key[2] === messageId).length;
  return { mark, expiryEntries };
}

function allMarks(store: EngineStore): { marks: number; expiryEntries: number } {
  return { marks: [...store.dedup.getKeys()].length, expiryEntries: [...store.dedupExpiry.getKeys()].length };
}

describe('dedup window', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('a replay inside the 7-day window is still ignored; once the window has passed the mark is gone and the messageId is new again', async () => {
    const t0 = await advanceClock(server.url, 0);
    const track = { userId: 'dw-u1', event: 'Order Completed', messageId: 'dw-1' };
    expect((await post(server.url, '/v1/track', track)).body).toEqual(SUCCESS);
    expect(markOf(server.engine.store, 'dw-1')).toEqual({ mark: t0, expiryEntries: 1 });

    // Exactly at the window's end the mark is kept: "at least" the window.
    await advanceClock(server.url, WINDOW);
    expect((await post(server.url, '/v1/track', track)).body).toEqual(SUCCESS);
    expect((await eventsOf(server.url, 'dw-u1'))?.map((e) => [e.message_id, e.timestamp])).toEqual([['dw-1', new Date(t0).toISOString()]]);
    expect(markOf(server.engine.store, 'dw-1')).toEqual({ mark: t0, expiryEntries: 1 });

    // One millisecond later it is out of the window: the clock call returns after the sweep.
    await advanceClock(server.url, 1);
    expect(markOf(server.engine.store, 'dw-1')).toEqual({ mark: undefined, expiryEntries: 0 });
    expect((await post(server.url, '/v1/track', track)).body).toEqual(SUCCESS);
    const replayedAt = new Date(t0 + WINDOW + 1).toISOString();
    expect((await eventsOf(server.url, 'dw-u1'))?.map((e) => [e.message_id, e.timestamp])).toEqual([
      ['dw-1', replayedAt],
      ['dw-1', new Date(t0).toISOString()],
    ]);
    expect(markOf(server.engine.store, 'dw-1')).toEqual({ mark: t0 + WINDOW + 1, expiryEntries: 1 });
  });

  it('sweeps thousands of marks in chunks, oldest only, and keeps those still inside the window', async () => {
    const before = allMarks(server.engine.store);
    const old = Array.from({ length: 2_500 }, (_, i) => ({ type: 'track', userId: `dw-old-${i % 7}`, event: 'Old', messageId: `dw-old-${i}` }));
    expect((await post(server.url, '/v1/batch', { batch: old })).body).toEqual(SUCCESS);
    await advanceClock(server.url, 100 * HOUR);
    const recent = Array.from({ length: 10 }, (_, i) => ({ type: 'track', userId: 'dw-new', event: 'New', messageId: `dw-new-${i}` }));
    expect((await post(server.url, '/v1/batch', { batch: recent })).body).toEqual(SUCCESS);
    expect(allMarks(server.engine.store)).toEqual({ marks: before.marks + 2_510, expiryEntries: before.expiryEntries + 2_510 });

    await advanceClock(server.url, WINDOW - 100 * HOUR + 1);
    const left = [...server.engine.store.dedup.getKeys()].map((key) => key[1]).filter((id) => id.startsWith('dw-old') || id.startsWith('dw-new'));
    expect(left.sort()).toEqual(recent.map((e) => e.messageId).sort());
    // Replays of the recent ones are still ignored.
    expect((await post(server.url, '/v1/batch', { batch: recent })).body).toEqual(SUCCESS);
    expect((await eventsOf(server.url, 'dw-new'))?.length).toBe(10);
  });
});

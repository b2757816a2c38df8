import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { admin, create, DAY, HOUR, iso, send, sizeOf, traitsOf, type DefinitionJson } from './definitions-http.ts';
import { advanceClock, get } from './tracking-http.ts';

// Issue 6 item 7 and contract "Audiences and computed traits": creating a definition replays the
// stored history of every profile, while ingestion goes on, without double counting; status
// Preparing → Computing (progress 0..1) → Live. `includeHistoricalData:false` counts events
// received after creation; `backfillEventDataDays` bounds how far back the replay reaches.

const USERS = 300;
const HISTORY_PER_USER = 4;

describe('backfill over stored history (manual clock)', () => {
  let server: TestServer;
  let url: string;
  let now: number;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
    now = await advanceClock(url, 0);
  });

  afterAll(async () => {
    await server.destroy();
  });

  /** `HISTORY_PER_USER` plays per user, dated 1 to 20 days ago, sent in batches before any definition. */
  async function sendHistory(): Promise<void> {
    const batch: object[] = [];
    for (let u = 0; u < USERS; u += 1) {
      for (let e = 0; e < HISTORY_PER_USER; e += 1) {
        batch.push({ type: 'track', userId: `listener-${u}`, event: 'Song Played', properties: { seconds: 10 * (e + 1) }, timestamp: iso(now - (1 + ((u + e * 5) % 20)) * DAY) });
      }
    }
    for (let i = 0; i < batch.length; i += 400) await send(url, 'batch', { batch: batch.slice(i, i + 400) });
  }

  it('history sent before the definitions exist is counted once, with live events arriving during the backfill', async () => {
    await sendHistory();
    // Plays in the last 7 days per user, from the history's timestamps.
    const recent = (u: number): number => Array.from({ length: HISTORY_PER_USER }, (_, e) => 1 + ((u + e * 5) % 20)).filter((days) => days < 7).length;

    const plays = await create(url, 'computed-traits', { name: 'Song plays', definition: { query: "event('Song Played').count()" } });
    const weekly = await create(url, 'audiences', { name: 'Weekly listeners', definition: { query: "event('Song Played').within(7 days).count() >= 2" } });
    expect(plays.status).toBe('Preparing');

    // While the backfills run: more plays (dated now) for every tenth user, and status polls.
    const live = new Map<number, number>();
    const seen: DefinitionJson[] = [];
    const poll = async (): Promise<void> => {
      for (let i = 0; i < 20; i += 1) {
        seen.push((await get(url, `/v1/spaces/default/computed-traits/${plays.id}`, DEV_AUTH.admin).then((r) => (r.body as { computedTrait: DefinitionJson }).computedTrait)));
      }
    };
    const sendLive = async (): Promise<void> => {
      for (let round = 0; round < 5; round += 1) {
        const batch: object[] = [];
        for (let u = round; u < USERS; u += 10) {
          batch.push({ type: 'track', userId: `listener-${u}`, event: 'Song Played', properties: { seconds: 1 } });
          live.set(u, (live.get(u) ?? 0) + 1);
        }
        await send(url, 'batch', { batch });
      }
    };
    await Promise.all([poll(), sendLive()]);
    await server.engine.definitions.idle();

    // Statuses only move forward, progress within 0..1 and never backwards.
    const order = ['Preparing', 'Computing', 'Live'];
    const ranks = seen.map((d) => order.indexOf(d.status));
    expect(ranks.every((rank) => rank >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const progress = seen.filter((d) => d.status === 'Computing').map((d) => d.progress ?? -1);
    expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    expect(await get(url, `/v1/spaces/default/computed-traits/${plays.id}`, DEV_AUTH.admin)).toMatchObject({ status: 200, body: { computedTrait: { status: 'Live' } } });
    const expectedMembers = Array.from({ length: USERS }, (_, u) => u).filter((u) => recent(u) + (live.get(u) ?? 0) >= 2).length;
    expect(await read(weekly.id)).toMatchObject({ status: 'Live', size: expectedMembers });

    // Every profile: the true number of plays, history and live, each once.
    for (let u = 0; u < USERS; u += 1) {
      const member = recent(u) + (live.get(u) ?? 0) >= 2;
      expect(await traitsOf(url, `user_id:listener-${u}`, 'include=song_plays,weekly_listeners')).toEqual({
        song_plays: HISTORY_PER_USER + (live.get(u) ?? 0),
        ...(member ? { weekly_listeners: true } : {}),
      });
    }
  });

  async function read(id: string): Promise<DefinitionJson> {
    const result = await admin(url, 'GET', `/v1/spaces/default/audiences/${id}`);
    return (result.body as { audience: DefinitionJson }).audience;
  }

  it('includeHistoricalData: false counts only events received after creation; count() is 0 on the others', async () => {
    await send(url, 'track', { userId: 'fresh-1', event: 'Podcast Played', timestamp: iso(now - 2 * DAY) });
    await send(url, 'track', { userId: 'fresh-2', event: 'Podcast Played', timestamp: iso(now - 2 * DAY) });
    await advanceClock(url, HOUR);
    const trait = await create(url, 'computed-traits', {
      name: 'Podcast plays since',
      definition: { query: "event('Podcast Played').count()" },
      options: { includeHistoricalData: false },
    });
    const audience = await create(url, 'audiences', {
      name: 'Never played a podcast since',
      definition: { query: "event('Podcast Played').count() = 0" },
      options: { includeHistoricalData: false },
    });
    await server.engine.definitions.idle();
    await send(url, 'track', { userId: 'fresh-1', event: 'Podcast Played' });
    expect(await traitsOf(url, 'user_id:fresh-1', 'class=computed_trait&include=podcast_plays_since')).toEqual({ podcast_plays_since: 1 });
    expect(await traitsOf(url, 'user_id:fresh-2', 'class=computed_trait&include=podcast_plays_since')).toEqual({ podcast_plays_since: 0 });
    expect(await traitsOf(url, 'user_id:fresh-1', 'include=never_played_a_podcast_since')).toEqual({ never_played_a_podcast_since: false });
    expect(await traitsOf(url, 'user_id:fresh-2', 'include=never_played_a_podcast_since')).toEqual({ never_played_a_podcast_since: true });
    // Every other profile of the space (the listeners) is in the audience too.
    expect(await sizeOf(url, audience.id)).toBe(USERS + 1);
    expect((await admin(url, 'GET', `/v1/spaces/default/computed-traits/${trait.id}`)).body).toMatchObject({ computedTrait: { status: 'Live' } });
  });

  it('backfillEventDataDays limits how far back the replay reaches', async () => {
    const at = await advanceClock(url, 0);
    await send(url, 'batch', {
      batch: [
        { type: 'track', userId: 'depth-1', event: 'Review Written', timestamp: iso(at - 10 * DAY) },
        { type: 'track', userId: 'depth-1', event: 'Review Written', timestamp: iso(at - 4 * DAY) },
        { type: 'track', userId: 'depth-1', event: 'Review Written', timestamp: iso(at - 1 * DAY) },
      ],
    });
    await create(url, 'computed-traits', { name: 'Reviews five days', definition: { query: "event('Review Written').count()" }, options: { backfillEventDataDays: 5 } });
    await create(url, 'computed-traits', { name: 'Reviews all', definition: { query: "event('Review Written').count()" } });
    await server.engine.definitions.idle();
    expect(await traitsOf(url, 'user_id:depth-1', 'class=computed_trait&include=reviews_five_days,reviews_all')).toEqual({ reviews_five_days: 2, reviews_all: 3 });
  });
});

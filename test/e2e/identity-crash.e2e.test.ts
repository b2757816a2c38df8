import { describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../support/engine-process.ts';
import { DEV_AUTH } from '../support/engine-server.ts';
import { metricValue } from '../support/metric-value.ts';
import { fetchAllEvents, type ProfileEvent } from '../support/profile-lookup.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { seededRandom } from '../support/seeded-random.ts';

// Contract: 200 means committed and a crash loses no acknowledged event; replays of accepted
// messageIds are acknowledged and ignored; "any id of a merged profile finds it". Here the events
// merge profiles heavily (small pools of ids, random combinations), the engine — run as `npm
// start` runs it — dies by SIGKILL in the middle of the burst, and after a restart the identity
// graph must be consistent through the Profile API and hold every acknowledged event once.

const POOL = { anonymous: 30, emails: 10, users: 10 } as const;
/** Identifier limits of a space without `identity` (contract "Identity defaults"). */
const LIMITS: Readonly<Record<string, number>> = { user_id: 1, email: 5, anonymous_id: 5 };

interface Item {
  readonly type: 'track';
  readonly event: string;
  readonly messageId: string;
  readonly anonymousId?: string;
  readonly userId?: string;
  readonly context?: { readonly traits: { readonly email: string } };
}

interface Batch {
  readonly index: number;
  readonly items: readonly Item[];
  readonly body: string;
}

/**
 * The HTTP status of a send; `error` when no response arrived (the process died); `partial` for a
 * 200 that rejected some items (every item here is valid, so that would be a finding).
 */
type Outcome = number | 'error' | 'partial';


const anonymousId = (p: string, n: number): string => `${p}-anon-${n}`;
const email = (p: string, n: number): string => `${p}-${n}@example.com`;
const userId = (p: string, n: number): string => `${p}-user-${n}`;

/** Every id of the pools, as Profile API lookups. */
function poolLookups(p: string): string[] {
  return [
    ...Array.from({ length: POOL.anonymous }, (_, n) => `anonymous_id:${anonymousId(p, n)}`),
    ...Array.from({ length: POOL.emails }, (_, n) => `email:${email(p, n)}`),
    ...Array.from({ length: POOL.users }, (_, n) => `user_id:${userId(p, n)}`),
  ];
}

/** Tracks with 1–3 ids drawn from the pools; each carries a unique messageId. */
function makeBatches(p: string, seed: number, count: number, size: number): Batch[] {
  const next = seededRandom(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  return Array.from({ length: count }, (_, index) => {
    const items = Array.from({ length: size }, (_, i): Item => {
      const roll = next();
      // Mostly anonymous visitors; an email or a user id on some, both on a few.
      // Every item has a userId or an anonymousId (else it would be rejected, no_user_anon_id).
      const withAnon = roll < 0.85;
      const withEmail = next() < 0.35;
      const withUser = next() < 0.3 || !withAnon;
      return {
        type: 'track',
        event: 'Crash Merge',
        messageId: `${p}-b${index}-e${i}`,
        ...(withAnon ? { anonymousId: anonymousId(p, pick(POOL.anonymous)) } : {}),
        ...(withUser ? { userId: userId(p, pick(POOL.users)) } : {}),
        ...(withEmail ? { context: { traits: { email: email(p, pick(POOL.emails)) } } } : {}),
      };
    });
    return { index, items, body: JSON.stringify({ batch: items }) };
  });
}

/** The ids an item carried, as lookups. */
function carried(item: Item): string[] {
  const ids: string[] = [];
  if (item.anonymousId !== undefined) ids.push(`anonymous_id:${item.anonymousId}`);
  if (item.context !== undefined) ids.push(`email:${item.context.traits.email}`);
  if (item.userId !== undefined) ids.push(`user_id:${item.userId}`);
  return ids;
}

async function send(url: string, batch: Batch): Promise<Outcome> {
  try {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: DEV_AUTH.write, 'content-type': 'application/json' },
      body: batch.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return response.status === 200 && text !== '{"success":true}' ? 'partial' : response.status;
  } catch {
    return 'error';
  }
}

function lookupUrl(url: string, lookup: string, resource: string, query: string): string {
  const colon = lookup.indexOf(':');
  return `${url}/v1/spaces/default/collections/users/profiles/${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}/${resource}?${query}`;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { authorization: DEV_AUTH.access }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** The profile a lookup finds: its engine id (from an event's `related.users`) and its external ids, sorted. */
async function profileOf(url: string, lookup: string): Promise<{ id: string; ids: string[] } | undefined> {
  const first = await getJson(lookupUrl(url, lookup, 'events', 'limit=1'));
  if (first.status === 404) return undefined;
  if (first.status !== 200) throw new Error(`GET events of ${lookup} answered ${first.status}`);
  const event = (first.body as { data: ProfileEvent[] }).data[0];
  const ids: string[] = [];
  let next = '';
  for (let page = 0; page < 20; page++) {
    const { status, body } = await getJson(lookupUrl(url, lookup, 'external_ids', `limit=100${next === '' ? '' : `&next=${encodeURIComponent(next)}`}`));
    if (status !== 200) throw new Error(`GET external_ids of ${lookup} answered ${status}`);
    const pageBody = body as { data: Array<{ type: string; id: string }>; cursor: { has_more: boolean; next: string } };
    ids.push(...pageBody.data.map((id) => `${id.type}:${id.id}`));
    if (!pageBody.cursor.has_more) break;
    next = pageBody.cursor.next;
  }
  // A profile is only ever created by an event here, so a profile without one is itself a finding.
  return { id: event?.related.users ?? `(no events: ${lookup})`, ids: ids.sort() };
}

interface GraphReport {
  /** Lookups whose profile differs from that of another id of the same profile. */
  readonly inconsistent: string[];
  /** Ids listed on more than one profile, or profiles over an identifier limit. */
  readonly violations: string[];
  /** How many times each messageId appears over all distinct profiles. */
  readonly counts: Map<string, number>;
  /** Events on a profile that holds none of the ids they carried. */
  readonly misplaced: string[];
  readonly profiles: number;
}

/**
 * Walks the graph from every pool id: for each distinct profile, every one of its external ids
 * must find that same profile with the same ids; no id may be on two profiles; limits hold. Then
 * every event of every distinct profile is read (paged) and counted.
 */
async function readGraph(url: string, p: string, items: ReadonlyMap<string, Item>): Promise<GraphReport> {
  const inconsistent: string[] = [];
  const violations: string[] = [];
  const owner = new Map<string, string>();
  const profiles = new Map<string, { lookup: string; ids: string[] }>();
  for (const lookup of poolLookups(p)) {
    const profile = await profileOf(url, lookup);
    if (profile === undefined || profiles.has(profile.id)) continue;
    profiles.set(profile.id, { lookup, ids: profile.ids });
    for (const id of profile.ids) {
      const again = id === lookup ? profile : await profileOf(url, id);
      if (again?.id !== profile.id || again.ids.join() !== profile.ids.join()) {
        inconsistent.push(`${id}: on ${profile.id} (found through ${lookup}) but finds ${again?.id ?? 'nothing'} with [${again?.ids.join(', ') ?? ''}]`);
      }
      const already = owner.get(id);
      if (already !== undefined && already !== profile.id) violations.push(`${id} is on ${already} and ${profile.id}`);
      owner.set(id, profile.id);
    }
    for (const [type, limit] of Object.entries(LIMITS)) {
      const held = profile.ids.filter((id) => id.startsWith(`${type}:`)).length;
      if (held > limit) violations.push(`${profile.id} holds ${held} ${type} values, over ${limit}`);
    }
  }
  const counts = new Map<string, number>();
  const misplaced: string[] = [];
  for (const [id, { lookup, ids }] of profiles) {
    for (const event of await fetchAllEvents(url, lookup)) {
      counts.set(event.message_id, (counts.get(event.message_id) ?? 0) + 1);
      if (event.related.users !== id) misplaced.push(`${event.message_id} listed under ${lookup} but related to ${event.related.users}`);
      const item = items.get(event.message_id);
      if (item !== undefined && !carried(item).some((c) => ids.includes(c))) misplaced.push(`${event.message_id} on ${id}, which holds none of [${carried(item).join(', ')}]`);
    }
  }
  return { inconsistent, violations, counts, misplaced, profiles: profiles.size };
}

/** Every messageId of `ids` not counted exactly once, with its count (0 = missing). */
function notExactlyOnce(counts: ReadonlyMap<string, number>, ids: readonly string[]): Array<[string, number]> {
  return ids.map((id): [string, number] => [id, counts.get(id) ?? 0]).filter(([, n]) => n !== 1);
}

/**
 * Sends the batches (`concurrency` in flight at once), SIGKILLs the engine `killDelayMs` after the
 * `killAtAck`-th acknowledgement, restarts it on the same data and checks the graph; then replays every batch
 * and checks again.
 */
async function crashAndVerify(p: string, options: { seed: number; batches: number; size: number; concurrency: number; killAtAck: number; killDelayMs: number }): Promise<void> {
  const dir = makeTempDir(`identity-crash-${p}`);
  let engine: EngineProcess | undefined;
  try {
    engine = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
    const first = engine;
    const batches = makeBatches(p, options.seed, options.batches, options.size);
    const items = new Map(batches.flatMap((b) => b.items.map((item): [string, Item] => [item.messageId, item])));
    const outcomes = new Map<number, Outcome>();
    let acks = 0;
    let killing: Promise<void> | undefined;
    let cursor = 0;
    // `concurrency` workers pull batches in order; the kill lands while others are in flight.
    const worker = async (): Promise<void> => {
      while (cursor < batches.length) {
        const batch = batches[cursor++]!;
        const outcome = await send(first.url, batch);
        outcomes.set(batch.index, outcome);
        if (outcome === 200 && ++acks === options.killAtAck) {
          // After a short delay, so that the next batches are on their way when the process dies.
          killing = new Promise((resolve) => setTimeout(resolve, options.killDelayMs)).then(() => first.kill9());
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    await (killing ?? first.kill9());
    expect(acks).toBeGreaterThanOrEqual(options.killAtAck);
    // Every batch was acknowledged or got no answer at all: never a 4xx/5xx.
    expect([...outcomes.values()].filter((o) => o !== 200 && o !== 'error')).toEqual([]);
    const acked = batches.filter((b) => outcomes.get(b.index) === 200).flatMap((b) => b.items.map((i) => i.messageId));
    const all = batches.flatMap((b) => b.items.map((i) => i.messageId));

    engine = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
    const afterCrash = await readGraph(engine.url, p, items);
    const context = `seed ${options.seed}, ${acked.length}/${all.length} events acknowledged, ${afterCrash.profiles} profiles`;
    expect({ context, inconsistent: afterCrash.inconsistent, violations: afterCrash.violations, misplaced: afterCrash.misplaced }).toEqual({
      context,
      inconsistent: [],
      violations: [],
      misplaced: [],
    });
    expect({ context, notOnce: notExactlyOnce(afterCrash.counts, acked) }).toEqual({ context, notOnce: [] });
    const sent = new Set(all);
    expect([...afterCrash.counts].filter(([id, n]) => n !== 1 || !sent.has(id))).toEqual([]);
    const committedBeforeCrash = afterCrash.counts.size;

    // Replay everything, acknowledged or not, as clients that never saw an answer would.
    const replayed: Outcome[] = [];
    for (let i = 0; i < batches.length; i += 8) replayed.push(...(await Promise.all(batches.slice(i, i + 8).map((b) => send(engine!.url, b)))));
    expect(replayed.filter((o) => o !== 200)).toEqual([]);
    const afterReplay = await readGraph(engine.url, p, items);
    expect({ context, inconsistent: afterReplay.inconsistent, violations: afterReplay.violations, misplaced: afterReplay.misplaced }).toEqual({
      context,
      inconsistent: [],
      violations: [],
      misplaced: [],
    });
    expect({ context, notOnce: notExactlyOnce(afterReplay.counts, all) }).toEqual({ context, notOnce: [] });
    expect(afterReplay.counts.size).toBe(all.length);
    // The restarted process has seen only the replay: what was committed before is a duplicate.
    expect(await metricValue(engine.url, 'troupe_events_duplicate_total', { space: 'default' })).toBe(committedBeforeCrash);
    expect(await metricValue(engine.url, 'troupe_events_accepted_total', { space: 'default' })).toBe(all.length - committedBeforeCrash);
  } finally {
    await engine?.kill9();
    dir.remove();
  }
}

describe('identity graph across kill -9', () => {
  it('one batch in flight at a time: after the crash and after a full replay, the graph is consistent and every acknowledged event is there once', async () => {
    await crashAndVerify('crash-seq', { seed: 20_241, batches: 60, size: 25, concurrency: 1, killAtAck: 30, killDelayMs: 3 });
  });

  // Fails on most runs today, through two engine bugs: the stale identity-write race reported
  // with identity-merge.e2e.test.ts ("regression: a profile created while its request waits on a
  // merge hand-over ..."), and the acknowledgement that depends on another request's uncommitted
  // identity writes (the regression test below).
  it('a burst of 40 concurrent batches merging profiles heavily: after the crash and after a full replay, the graph is consistent and every acknowledged event is there once', async () => {
    await crashAndVerify('crash-burst', { seed: 7_919, batches: 40, size: 50, concurrency: 40, killAtAck: 12, killDelayMs: 0 });
  });

  // Regression (found by this suite, now fixed): an event is acknowledged although the identity
  // writes it was resolved through are not committed. R1 creates profile N (its writes "n → N" are
  // staged in the main thread's overlay) but waits to release a merge loser (ingest-service.ts
  // `releaseLosers`) before delivering; R2, an event with only anonymousId n, resolves to N through
  // the overlay, is delivered to N's shard first, commits (creating N's state with no identifiers)
  // and is acknowledged. If the process dies before R1 commits, nothing maps n to N: after the
  // restart anonymous_id:n is 404 and R2's acknowledged event is unreachable; replaying R1 then
  // makes a new profile for n, and R2's event stays orphaned for good. R0's 2,500 events hold R1
  // back long enough that the kill, sent the moment R2 is acknowledged, lands before R1 commits in
  // nearly every round.
  it('regression: an event acknowledged through a profile whose creation is not committed yet survives kill -9', async () => {
    const dir = makeTempDir('identity-crash-ack');
    let engine: EngineProcess | undefined;
    const lost: string[] = [];
    const post = async (url: string, path: string, body: object): Promise<Outcome> => {
      try {
        const response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: DEV_AUTH.write, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        return response.status;
      } catch {
        return 'error';
      }
    };
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      engine = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
      for (let round = 0; round < 4; round++) {
        const p = `ack-${round}`;
        const url = engine.url;
        expect(await post(url, '/v1/track', { anonymousId: `${p}-m2`, event: 'Seen', context: { traits: { email: `${p}-m@example.com` } } })).toBe(200);
        await sleep(5);
        expect(await post(url, '/v1/track', { anonymousId: `${p}-m1`, event: 'Seen' })).toBe(200);
        const r0 = post(url, '/v1/batch', { batch: Array.from({ length: 2500 }, (_, i) => ({ type: 'track', anonymousId: `${p}-m1`, event: 'Bulk', properties: { i } })) });
        await sleep(15);
        // R1: merges M1 into M2 (waits for M1's hand-over), then creates N.
        const r1Body = {
          batch: [
            { type: 'track', anonymousId: `${p}-m1`, event: 'Link', context: { traits: { email: `${p}-m@example.com` } }, messageId: `${p}-link` },
            { type: 'track', anonymousId: `${p}-n`, event: 'Created', messageId: `${p}-created` },
          ],
        };
        const r1 = post(url, '/v1/batch', r1Body);
        await sleep(2);
        // R2: only N's id. Acknowledged → it must survive whatever happens next.
        const r2 = await post(url, '/v1/track', { anonymousId: `${p}-n`, event: 'Acked', messageId: `${p}-acked` });
        await engine.kill9();
        await Promise.all([r0, r1]);
        engine = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
        if (r2 !== 200) continue;
        // A client that got no answer for R1 sends it again; the acknowledged R2 need not be.
        expect(await post(engine.url, '/v1/batch', r1Body)).toBe(200);
        const events = await fetchAllEvents(engine.url, `anonymous_id:${p}-n`);
        if (!events.some((e) => e.message_id === `${p}-acked`)) lost.push(`${p}-acked (anonymous_id:${p}-n shows [${events.map((e) => e.message_id).join(', ')}])`);
      }
      expect(lost).toEqual([]);
    } finally {
      await engine?.kill9();
      dir.remove();
    }
  });
});

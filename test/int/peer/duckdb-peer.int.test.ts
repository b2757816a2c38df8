import { describe, expect, it } from 'vitest';
import { benchDefinitions } from '../../../bench/definitions-fixture.ts';
import type { LoggedEvent } from '../../../bench/load/event-log.ts';
import { computePeerAnswers, openPeer, type PeerAnswerMap, type PeerDefinitionInput } from '../../../bench/peer/duckdb-peer.ts';
import { referenceAnswers } from '../../../bench/peer/reference-answers.ts';
import { syntheticLog } from '../../../bench/peer/synthetic-log.ts';
import type { Json } from '../../../src/shared/json.ts';

// Part (a): expectations computed by hand from SEMANTICS.md and the contract, not by running code.
// Part (b): the peer against the reference evaluator on seeded random logs, every bench definition.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The instant most cases are asked at. */
const T = Date.UTC(2026, 2, 1);

let counter = 0;

interface CallOptions {
  /** When the event reached the engine; its timestamp when not told. */
  readonly sentAt?: number;
  readonly messageId?: string;
  /** The ids on the call: a userId by default (the person is known). */
  readonly ids?: { readonly userId?: string; readonly anonymousId?: string };
}

function idsOf(person: string, options: CallOptions): { userId?: string; anonymousId?: string } {
  return options.ids ?? { userId: `u_${person}` };
}

function track(person: string, event: string, ts: number, properties: Record<string, Json> = {}, options: CallOptions = {}): LoggedEvent {
  const call = { type: 'track' as const, ...idsOf(person, options), event, properties, messageId: options.messageId ?? `m${counter++}`, timestamp: new Date(ts).toISOString() };
  return { person, call, sentAt: options.sentAt ?? ts };
}

function identify(person: string, traits: Record<string, Json>, ts: number, options: CallOptions = {}): LoggedEvent {
  const call = { type: 'identify' as const, ...idsOf(person, options), traits, messageId: options.messageId ?? `m${counter++}`, timestamp: new Date(ts).toISOString() };
  return { person, call, sentAt: options.sentAt ?? ts };
}

const audience = (key: string, query: string, includeAnonymousUsers = false): PeerDefinitionInput => ({ key, kind: 'audience', query, includeAnonymousUsers });
const trait = (key: string, query: string, includeAnonymousUsers = false): PeerDefinitionInput => ({ key, kind: 'computed_trait', query, includeAnonymousUsers });

/** The answers of one person at each instant: `[at, answers]`. */
async function answersOf(person: string, events: readonly LoggedEvent[], definitions: readonly PeerDefinitionInput[], instants: readonly number[]): Promise<Record<string, Json>[]> {
  const peer = await openPeer(events, definitions);
  try {
    const result: Record<string, Json>[] = [];
    for (const at of instants) result.push((await peer.recompute(at)).answers.get(person) ?? {});
    return result;
  } finally {
    peer.close();
  }
}

describe('DuckDB peer: windows and time', () => {
  const definitions = [
    trait('orders_30d', "event('Order Completed').within(30 days).count()"),
    audience('ordered_30d', "event('Order Completed').within(30 days).count() >= 1"),
    audience('ordered_1_to_30d_ago', "event('Order Completed').between(1 days, 30 days).count() >= 1"),
    trait('orders_ever', "event('Order Completed').count()"),
  ];

  it('within(30 days) holds an event from its timestamp to 1 ms before 30 days later', async () => {
    // Sent a day ahead of its timestamp, so that at T - 1 it has arrived (the person is known) but not happened.
    const events = [track('p', 'Order Completed', T, {}, { sentAt: T - DAY })];
    const [before, at, lastMs, expired] = await answersOf('p', events, definitions, [T - 1, T, T + 30 * DAY - 1, T + 30 * DAY]);
    expect(before).toMatchObject({ orders_30d: 0, ordered_30d: false });
    expect(at).toMatchObject({ orders_30d: 1, ordered_30d: true });
    expect(lastMs).toMatchObject({ orders_30d: 1, ordered_30d: true });
    expect(expired).toMatchObject({ orders_30d: 0, ordered_30d: false, orders_ever: 1 });
  });

  it('between(1 days, 30 days) holds an event from 1 day after it to 1 ms before 30 days after', async () => {
    const events = [track('p', 'Order Completed', T)];
    const answers = await answersOf('p', events, definitions, [T + DAY - 1, T + DAY, T + 30 * DAY - 1, T + 30 * DAY]);
    expect(answers.map((a) => a['ordered_1_to_30d_ago'])).toEqual([false, true, true, false]);
  });

  it('counts a future-dated event only once its time has come, and any event only once it has arrived', async () => {
    const events = [
      // Sent a day early: future-dated until T.
      track('p', 'Order Completed', T, {}, { sentAt: T - DAY }),
      // Happened at T but reached the engine 5 hours later (late).
      track('p', 'Order Completed', T, {}, { sentAt: T + 5 * HOUR }),
    ];
    const answers = await answersOf('p', events, definitions, [T - 1, T, T + 5 * HOUR - 1, T + 5 * HOUR]);
    expect(answers.map((a) => a['orders_ever'])).toEqual([0, 1, 1, 2]);
  });

  it('counts a late event where its timestamp falls', async () => {
    const events = [track('p', 'Order Completed', T - 40 * DAY, {}, { sentAt: T }), track('p', 'Order Completed', T - 10 * DAY, {}, { sentAt: T })];
    const [now] = await answersOf('p', events, definitions, [T]);
    expect(now).toMatchObject({ orders_30d: 1, orders_ever: 2, ordered_1_to_30d_ago: true });
  });

  it('keeps the first event of a duplicated messageId', async () => {
    const events = [track('p', 'Order Completed', T, {}, { messageId: 'dup' }), track('p', 'Product Added', T, {}, { messageId: 'dup' })];
    const [now] = await answersOf('p', events, [...definitions, trait('added', "event('Product Added').count()")], [T]);
    expect(now).toMatchObject({ orders_ever: 1, added: 0 });
  });

  it('takes page calls as Page Viewed, whose page_name is the call name', async () => {
    const page: LoggedEvent = { person: 'p', call: { type: 'page', userId: 'u_p', name: 'Home', properties: {}, messageId: 'pg', timestamp: new Date(T).toISOString() }, sentAt: T };
    const [now] = await answersOf('p', [page], [trait('home_views', "event('Page Viewed').where(property('page_name') = 'Home').count()")], [T]);
    expect(now).toEqual({ home_views: 1 });
  });
});

describe('DuckDB peer: funnels', () => {
  const abandoned = audience('abandoned', "event('Product Added').where(event('Order Completed').within(parent: 1 days).count() = 0).within(7 days).count() >= 1");
  const converted = audience('converted', "event('Product Added').where(event('Order Completed').within(parent: 1 days).count() >= 1).count() >= 1");

  it('a "did not" child holds from parent.ts + D on, until the parent leaves its window', async () => {
    const answers = await answersOf('p', [track('p', 'Product Added', T)], [abandoned], [T, T + DAY - 1, T + DAY, T + 7 * DAY - 1, T + 7 * DAY]);
    expect(answers.map((a) => a['abandoned'])).toEqual([false, false, true, true, false]);
  });

  it('an order inside (parent.ts, parent.ts + D] keeps the parent out; one at parent.ts or after the window does not', async () => {
    const events = [
      track('in_time', 'Product Added', T),
      track('in_time', 'Order Completed', T + 2 * HOUR),
      track('at_edge', 'Product Added', T),
      track('at_edge', 'Order Completed', T + DAY),
      track('same_ms', 'Product Added', T),
      track('same_ms', 'Order Completed', T),
      track('too_late', 'Product Added', T),
      track('too_late', 'Order Completed', T + DAY + 1),
    ];
    const { answers } = await computePeerAnswers({ events, definitions: [abandoned, converted], at: T + 2 * DAY });
    expect(Object.fromEntries([...answers].map(([person, a]) => [person, a['abandoned']]))).toEqual({ in_time: false, at_edge: false, same_ms: true, too_late: true });
  });

  it('a late child whose timestamp falls inside the window revokes membership when it arrives', async () => {
    const events = [track('p', 'Product Added', T), track('p', 'Order Completed', T + 12 * HOUR, {}, { sentAt: T + DAY + 5 * HOUR })];
    const answers = await answersOf('p', events, [abandoned], [T + DAY + HOUR, T + DAY + 5 * HOUR]);
    expect(answers.map((a) => a['abandoned'])).toEqual([true, false]);
  });

  it('a child count >= 1 settles as soon as the child arrives', async () => {
    const events = [track('p', 'Product Added', T), track('p', 'Order Completed', T + 2 * HOUR)];
    const answers = await answersOf('p', events, [converted], [T + 2 * HOUR - 1, T + 2 * HOUR]);
    expect(answers.map((a) => a['converted'])).toEqual([false, true]);
  });

  it('considers every parent: Product Added, Order Completed, Product Added abandons', async () => {
    const events = [track('p', 'Product Added', T), track('p', 'Order Completed', T + HOUR), track('p', 'Product Added', T + 2 * HOUR)];
    const answers = await answersOf('p', events, [abandoned], [T + DAY + HOUR, T + DAY + 2 * HOUR]);
    expect(answers.map((a) => a['abandoned'])).toEqual([false, true]);
  });
});

describe('DuckDB peer: reducers', () => {
  const definitions = [
    trait('sum', "event('Order Completed').sum(property('total'))"),
    trait('avg', "event('Order Completed').avg(property('total'))"),
    trait('min', "event('Order Completed').min(property('total'))"),
    trait('max', "event('Order Completed').max(property('total'))"),
    trait('max_text', "event('Order Completed').max(property('currency') as string)"),
    trait('min_text', "event('Order Completed').min(property('currency') as string)"),
    trait('mode2', "event('Order Completed').mode(property('currency'), 2)"),
    trait('mode3', "event('Order Completed').mode(property('currency'), 3)"),
    trait('first', "event('Order Completed').first(property('total'))"),
    trait('last', "event('Order Completed').last(property('total'))"),
    trait('currencies', "event('Order Completed').unique(property('currency')).count()"),
    trait('currency_list', "event('Order Completed').unique(property('currency'))"),
    trait('big', "event('Order Completed').where(property('total') >= 10).count()"),
    trait('count', "event('Order Completed').count()"),
  ];

  // Two events share T - 1 day: in occurrence order 'm10' comes before 'm9' (code points), though
  // the log has m9 first; so `last` is m9's 5 (a log-order tie-break would give m10's '7').
  const events = [
    track('p', 'Order Completed', T - 3 * DAY, { total: 10, currency: 'USD' }, { messageId: 'm1' }),
    track('p', 'Order Completed', T - 2 * DAY, { total: 20.5, currency: 'EUR' }, { messageId: 'm2' }),
    track('p', 'Order Completed', T - DAY, { total: 5, currency: 'EUR' }, { messageId: 'm9' }),
    track('p', 'Order Completed', T - DAY, { total: '7', currency: 'usd' }, { messageId: 'm10' }),
    track('p', 'Order Completed', T, { total: null, currency: 'USD' }, { messageId: 'm11' }),
    track('nobody', 'Product Added', T, {}, { messageId: 'm12' }),
  ];

  it('computes every reducer over numbers, strings and the odd value out', async () => {
    const { answers } = await computePeerAnswers({ events, definitions, at: T });
    expect(answers.get('p')).toEqual({
      sum: 35.5,
      avg: 35.5 / 3,
      min: 5,
      max: 20.5,
      max_text: 'usd',
      min_text: 'EUR',
      // USD and EUR both twice: the first alphabetically.
      mode2: 'EUR',
      first: 10,
      last: 5,
      currencies: 3,
      currency_list: ['EUR', 'USD', 'usd'],
      big: 2,
      count: 5,
    });
  });

  it('gives counts 0 and every other reducer no value where no event matched', async () => {
    const { answers } = await computePeerAnswers({ events, definitions, at: T });
    expect(answers.get('nobody')).toEqual({ currencies: 0, big: 0, count: 0 });
  });

  it('orders ties of time by messageId for first', async () => {
    const tied = [track('q', 'Order Completed', T, { total: 1 }, { messageId: 'm9' }), track('q', 'Order Completed', T, { total: 2 }, { messageId: 'm10' })];
    const { answers } = await computePeerAnswers({ events: tied, definitions, at: T });
    expect(answers.get('q')).toMatchObject({ first: 2, last: 1 });
  });

  it('reads numbers as text where a reducer compares text', async () => {
    const mixed = [track('q', 'Order Completed', T, { currency: 840 }), track('q', 'Order Completed', T, { currency: 'AUD' }), track('q', 'Order Completed', T, { currency: 840 })];
    const { answers } = await computePeerAnswers({ events: mixed, definitions, at: T });
    // '840' < 'AUD' by code points; 840 twice is the mode, and stays a number.
    expect(answers.get('q')).toMatchObject({ max_text: 'AUD', min_text: '840', mode2: 840, currency_list: [840, 'AUD'], currencies: 2 });
  });

  it('keeps 1 and "1" apart, ordering equal texts by type name (number before string)', async () => {
    // For q the string comes first in the log and in time, for r the number: the type decides.
    const ones = [
      track('q', 'Order Completed', T - 1, { currency: '1' }),
      track('q', 'Order Completed', T, { currency: 1 }),
      track('r', 'Order Completed', T - 1, { currency: 1 }),
      track('r', 'Order Completed', T, { currency: '1' }),
    ];
    const definitions = [
      trait('list', "event('Order Completed').unique(property('currency'))"),
      trait('distinct', "event('Order Completed').unique(property('currency')).count()"),
      trait('mode', "event('Order Completed').mode(property('currency'), 1)"),
    ];
    const { answers } = await computePeerAnswers({ events: ones, definitions, at: T });
    expect(answers.get('q')).toEqual({ list: [1, '1'], distinct: 2, mode: 1 });
    expect(answers.get('r')).toEqual({ list: [1, '1'], distinct: 2, mode: 1 });
  });
});

describe('DuckDB peer: traits and who qualifies', () => {
  it('reads the identify trait with the latest timestamp, whenever it arrived; null removes it', async () => {
    const events = [
      identify('pro', { plan: 'pro' }, T - 5 * DAY),
      // Older, arriving later: it does not win.
      identify('pro', { plan: 'free' }, T - 10 * DAY, { sentAt: T - DAY }),
      identify('removed', { plan: 'pro' }, T - 5 * DAY),
      identify('removed', { plan: null }, T - 4 * DAY),
      // Future-dated identify: applies on arrival.
      identify('future', { plan: 'pro' }, T + 2 * DAY, { sentAt: T - HOUR }),
      // Same timestamp: the later in the log wins.
      identify('tie', { plan: 'free' }, T - DAY),
      identify('tie', { plan: 'pro' }, T - DAY),
    ];
    const { answers } = await computePeerAnswers({ events, definitions: [audience('pro', "trait('plan') = 'pro'")], at: T });
    expect(Object.fromEntries([...answers].map(([person, a]) => [person, a['pro']]))).toEqual({ pro: true, removed: false, future: true, tie: true });
  });

  it('evaluates a definition after the one whose answer it reads, whatever their order', async () => {
    const definitions = [
      audience('big_spender', "trait('spend') > 100 OR event('Order Completed').within(90 days).count() >= 3"),
      trait('spend', "event('Order Completed').within(30 days).sum(property('total'))"),
    ];
    const events = [
      track('rich', 'Order Completed', T - DAY, { total: 150 }),
      track('poor', 'Order Completed', T - DAY, { total: 50 }),
      // Outside the 30 days of `spend`, inside the 90 days of the count.
      track('loyal', 'Order Completed', T - 40 * DAY, { total: 500 }),
      track('loyal', 'Order Completed', T - 50 * DAY, { total: 1 }),
      track('loyal', 'Order Completed', T - 60 * DAY, { total: 1 }),
    ];
    const { answers } = await computePeerAnswers({ events, definitions, at: T });
    expect(Object.fromEntries(answers)).toEqual({ rich: { big_spender: true, spend: 150 }, poor: { big_spender: false, spend: 50 }, loyal: { big_spender: true } });
  });

  it('answers nothing for a person with no userId and no email, unless the definition includes anonymous users', async () => {
    const anonymous = { ids: { anonymousId: 'a1' } };
    const events = [
      track('anon', 'Order Completed', T, {}, anonymous),
      // A group call's traits describe the group: its email makes no one known.
      { person: 'anon', call: { type: 'group' as const, anonymousId: 'a1', groupId: 'g', traits: { email: 'team@example.com' }, messageId: 'g1', timestamp: new Date(T).toISOString() }, sentAt: T },
      // Blocked values are no identifiers.
      track('blocked', 'Order Completed', T, {}, { ids: { userId: 'null' } }),
      track('emailed', 'Order Completed', T, {}, { ids: { anonymousId: 'a2' } }),
      identify('emailed', { email: 'e@example.com' }, T, { ids: { anonymousId: 'a2' } }),
      // Known only from T + 1 hour, when this call arrives.
      track('later', 'Order Completed', T, {}, anonymous),
      track('later', 'Product Added', T, {}, { ids: { userId: 'u_later' }, sentAt: T + HOUR }),
    ];
    const definitions = [
      trait('orders', "event('Order Completed').count()"),
      audience('ordered', "event('Order Completed').count() >= 1"),
      trait('orders_anyone', "event('Order Completed').count()", true),
      audience('ordered_anyone', "event('Order Completed').count() >= 1", true),
    ];
    const peer = await openPeer(events, definitions);
    try {
      const { answers } = await peer.recompute(T);
      const anonymousAnswers = { ordered: false, orders_anyone: 1, ordered_anyone: true };
      expect(answers.get('anon')).toEqual(anonymousAnswers);
      expect(answers.get('blocked')).toEqual(anonymousAnswers);
      expect(answers.get('later')).toEqual(anonymousAnswers);
      expect(answers.get('emailed')).toEqual({ orders: 1, ordered: true, orders_anyone: 1, ordered_anyone: true });
      expect((await peer.recompute(T + HOUR)).answers.get('later')).toEqual({ orders: 1, ordered: true, orders_anyone: 1, ordered_anyone: true });
    } finally {
      peer.close();
    }
  });

  it('refuses, naming the definition, the constructs it does not support', async () => {
    const events = [track('p', 'Order Completed', T)];
    await expect(computePeerAnswers({ events, definitions: [trait('no_web', "event('Order Completed').sources({exclude: 'web'}).count()")], at: T })).rejects.toThrow(
      /definition no_web: the DuckDB peer does not support sources/,
    );
    await expect(computePeerAnswers({ events, definitions: [audience('recent', "trait('signed_up_at').within_last(7 days)")], at: T })).rejects.toThrow(
      /definition recent: the DuckDB peer does not support the date comparator within_last/,
    );
  });
});

/** Mismatches between two answer maps, numbers compared with a 1e-9 relative tolerance. */
function differences(peer: PeerAnswerMap, reference: PeerAnswerMap, keys: readonly string[], label: string): string[] {
  const found: string[] = [];
  expect([...peer.keys()].sort()).toEqual([...reference.keys()].sort());
  for (const [person, expected] of reference) {
    const actual = peer.get(person) ?? {};
    for (const key of keys) {
      if (!sameAnswer(actual[key], expected[key])) found.push(`${label} ${person} ${key}: peer ${JSON.stringify(actual[key])}, reference ${JSON.stringify(expected[key])}`);
    }
    const extra = Object.keys(actual).filter((key) => !keys.includes(key));
    if (extra.length > 0) found.push(`${label} ${person}: unknown keys ${extra.join(', ')}`);
  }
  return found;
}

function sameAnswer(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

describe('DuckDB peer against the reference evaluator', () => {
  const fixture: PeerDefinitionInput[] = benchDefinitions('bench').map((d) => ({ key: d.key, kind: d.kind, query: d.query }));
  // A few more, beyond the fixture's shapes: anonymous users included, lists, text comparators.
  const extra: PeerDefinitionInput[] = [
    audience('anyone_ordered_7d', "event('Order Completed').within(7 days).count() >= 1", true),
    trait('anyone_currencies', "event('Product Viewed').unique(property('currency'))", true),
    trait('currency_mode', "event('Product Added').within(30 days).mode(property('currency') as string, 1)"),
    audience('usd_buyer', "event('Order Completed').where(property('currency').contains('US') AND NOT (property('total') < 50)).count() >= 1"),
    audience('not_pro', "NOT (trait('plan') = 'pro') AND trait('plan').exists()"),
  ];
  const definitions = [...fixture, ...extra];
  const keys = definitions.map((d) => d.key);
  const START = Date.UTC(2026, 0, 5);

  for (const seed of [1, 2, 3]) {
    it(`agrees with it on every person and definition (seed ${seed})`, async () => {
      // 20 persons, 600 events sent over 25 days (some late, some future-dated, some 1 ms off the hour).
      const events = syntheticLog({ seed, persons: 20, events: 600, start: START, spanMs: 25 * DAY });
      // On the hour grid the events use (window edges hit exactly), between arrivals and after the last.
      const instants = [START + 3 * DAY, START + 10 * DAY + 7 * HOUR, START + 17 * DAY + 1, START + 25 * DAY, START + 40 * DAY - 1];
      const peer = await openPeer(events, definitions);
      const mismatches: string[] = [];
      let nonTrivial = 0;
      try {
        for (const at of instants) {
          const { answers } = await peer.recompute(at);
          const reference = referenceAnswers({ events, definitions, at });
          mismatches.push(...differences(answers, reference, keys, new Date(at).toISOString()));
          for (const record of reference.values()) nonTrivial += Object.values(record).filter((v) => v !== false && v !== 0).length;
        }
      } finally {
        peer.close();
      }
      expect(mismatches.slice(0, 20)).toEqual([]);
      // The logs are dense enough that most definitions answer something for someone.
      expect(nonTrivial).toBeGreaterThan(500);
    }, 60_000);
  }
});

import { describe, expect, it } from 'vitest';
import { compileDefinition } from '../../../src/compute/compile-definition.ts';
import type { DefinitionEvaluator, EvaluatorState } from '../../../src/compute/definition-evaluator.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json, JsonObject } from '../../../src/shared/json.ts';
import { aggregate, and, audience, compare, computedTrait, days, field, hours, lit, not, or, prop, stream, trait } from '../../support/ast-builders.ts';
import { benchDefinitions } from '../../../bench/definitions-fixture.ts';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let seq = 0;

function track(event: string, timestamp: number, properties: JsonObject = {}): TrackedEvent {
  seq += 1;
  return { type: 'track', messageId: `m${String(seq).padStart(4, '0')}`, sourceId: 'src', userId: 'u', event, properties, timestamp, receivedAt: timestamp };
}

const noTraits = (): Json | undefined => undefined;

/** `event('Product Added').where(event('Order Completed').within(parent: 1 days).count() = 0).within(7 days).count() >= 1`. */
const cartAbandonment = audience(
  compare(
    aggregate(
      stream('Product Added', {
        where: [compare(aggregate(stream('Order Completed', { window: { kind: 'parent', duration: days(1) } }), { kind: 'count' }), { op: 'equals', operand: lit(0) })],
        window: { kind: 'within', duration: days(7) },
      }),
      { kind: 'count' },
    ),
    { op: 'at_least', operand: lit(1) },
  ),
);

/** Feeds events at their own timestamps (arrival = event time unless given). */
function feed(evaluator: DefinitionEvaluator, events: Array<TrackedEvent | [TrackedEvent, number]>): EvaluatorState {
  let state = evaluator.initialState();
  for (const item of events) {
    const [event, now] = Array.isArray(item) ? item : [item, item.timestamp];
    state = evaluator.observe(state, event, now);
  }
  return state;
}

describe('compileDefinition', () => {
  it('a 30-day window: a member at ts + 30 d − 1 ms, not at ts + 30 d; the next change is named exactly', () => {
    const evaluator = compileDefinition(audience(compare(aggregate(stream('Signed Up', { window: { kind: 'within', duration: days(30) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
    const state = feed(evaluator, [track('Signed Up', T0)]);
    expect(evaluator.evaluate(state, noTraits, T0)).toBe(true);
    expect(evaluator.evaluate(state, noTraits, T0 + 30 * DAY - 1)).toBe(true);
    expect(evaluator.evaluate(state, noTraits, T0 + 30 * DAY)).toBe(false);
    expect(evaluator.nextChangeAt(state, noTraits, T0)).toBe(T0 + 30 * DAY);
  });

  it('90 days is 2,160 hours', () => {
    const evaluator = compileDefinition(audience(compare(aggregate(stream('A', { window: { kind: 'within', duration: hours(2160) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
    const state = feed(evaluator, [track('A', T0)]);
    expect(evaluator.evaluate(state, noTraits, T0 + 90 * DAY - 1)).toBe(true);
    expect(evaluator.evaluate(state, noTraits, T0 + 90 * DAY)).toBe(false);
  });

  it('count() >= k keeps only the k newest due occurrences', () => {
    const evaluator = compileDefinition(audience(compare(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'count' }), { op: 'at_least', operand: lit(2) })));
    const state = feed(evaluator, [track('A', T0), track('A', T0 + HOUR), track('A', T0 + 2 * HOUR), track('A', T0 + 3 * HOUR)]);
    // One root stream: the state is that stream's own (`compile-definition.ts`, `rootsOf`), and a
    // stream with no funnel children is its list alone: the times of the two newest.
    expect(state).toEqual([T0 + 2 * HOUR, T0 + 3 * HOUR]);
    // The second newest (T0 + 2 h) leaves the window at T0 + 2 h + 7 d.
    expect(evaluator.evaluate(state, noTraits, T0 + 7 * DAY + 2 * HOUR - 1)).toBe(true);
    expect(evaluator.evaluate(state, noTraits, T0 + 7 * DAY + 2 * HOUR)).toBe(false);
  });

  it('the cart-abandonment funnel enters exactly at Product Added + 1 day, never when the order came in time', () => {
    const evaluator = compileDefinition(cartAbandonment);
    const abandoned = feed(evaluator, [track('Product Added', T0)]);
    expect(evaluator.evaluate(abandoned, noTraits, T0 + DAY - 1)).toBe(false);
    expect(evaluator.nextChangeAt(abandoned, noTraits, T0)).toBe(T0 + DAY);
    expect(evaluator.evaluate(abandoned, noTraits, T0 + DAY)).toBe(true);
    const ordered = feed(evaluator, [track('Product Added', T0), track('Order Completed', T0 + HOUR)]);
    expect(evaluator.evaluate(ordered, noTraits, T0 + DAY)).toBe(false);
    expect(evaluator.evaluate(ordered, noTraits, T0 + 3 * DAY)).toBe(false);
    // Product Added → Order Completed → Product Added enters, a day after the second.
    const again = feed(evaluator, [track('Product Added', T0), track('Order Completed', T0 + HOUR), track('Product Added', T0 + 2 * HOUR)]);
    expect(evaluator.evaluate(again, noTraits, T0 + DAY + 2 * HOUR - 1)).toBe(false);
    expect(evaluator.evaluate(again, noTraits, T0 + DAY + 2 * HOUR)).toBe(true);
    // A late order timestamped inside the window revokes it.
    const revoked = evaluator.observe(abandoned, track('Order Completed', T0 + 2 * HOUR), T0 + 2 * DAY);
    expect(evaluator.evaluate(revoked, noTraits, T0 + 2 * DAY)).toBe(false);
  });

  it('a funnel parent whose child came names no change at its close; one still waiting for a child does', () => {
    const evaluator = compileDefinition(cartAbandonment);
    const ordered = feed(evaluator, [track('Product Added', T0), track('Order Completed', T0 + HOUR)]);
    // `count() = 0` is false for good, though unknown until T0 + 1 day: nothing changes there.
    // The next instant an input moves is the Product Added leaving its 7 days.
    expect(evaluator.evaluateWithNextChange(ordered, noTraits, T0 + 2 * HOUR)).toEqual({ value: false, nextChangeAt: T0 + 7 * DAY });
    const waiting = feed(evaluator, [track('Product Added', T0)]);
    expect(evaluator.evaluateWithNextChange(waiting, noTraits, T0 + 2 * HOUR)).toEqual({ value: false, nextChangeAt: T0 + DAY });
    // Under NOT the close of a decided child changes the parent's filter: it is named.
    const child = compare(aggregate(stream('Order Completed', { window: { kind: 'parent', duration: days(1) } }), { kind: 'count' }), { op: 'equals', operand: lit(0) });
    const orderedInTime = compileDefinition(audience(compare(aggregate(stream('Product Added', { where: [not(child)] }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
    const state = feed(orderedInTime, [track('Product Added', T0), track('Order Completed', T0 + HOUR)]);
    expect(orderedInTime.evaluateWithNextChange(state, noTraits, T0 + 2 * HOUR)).toEqual({ value: false, nextChangeAt: T0 + DAY });
    expect(orderedInTime.evaluate(state, noTraits, T0 + DAY)).toBe(true);
  });

  it('a child count() >= 1 holds the moment the child arrives; NOT of it waits for the window', () => {
    const child = () => compare(aggregate(stream('B', { window: { kind: 'parent', duration: hours(5) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) });
    const withChild = compileDefinition(audience(compare(aggregate(stream('A', { where: [child()] }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
    const state = feed(withChild, [track('A', T0), track('B', T0 + HOUR)]);
    expect(withChild.evaluate(state, noTraits, T0 + HOUR)).toBe(true);
    const without = compileDefinition(audience(compare(aggregate(stream('A', { where: [not(child())] }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
    const alone = feed(without, [track('A', T0)]);
    expect(without.evaluate(alone, noTraits, T0 + 5 * HOUR - 1)).toBe(false);
    expect(without.evaluate(alone, noTraits, T0 + 5 * HOUR)).toBe(true);
  });

  it('future-dated events count from their time, and the profile wakes then', () => {
    const evaluator = compileDefinition(computedTrait(aggregate(stream('A'), { kind: 'sum', field: field('n') })));
    const state = feed(evaluator, [[track('A', T0 + DAY, { n: 5 }), T0], [track('A', T0, { n: 2 }), T0]]);
    expect(evaluator.evaluate(state, noTraits, T0)).toBe(2);
    expect(evaluator.nextChangeAt(state, noTraits, T0)).toBe(T0 + DAY);
    expect(evaluator.evaluate(state, noTraits, T0 + DAY)).toBe(7);
    const pruned = evaluator.prune(state, T0 + DAY);
    expect((pruned as unknown as { pending: unknown[] }).pending).toEqual([]);
    expect(evaluator.evaluate(pruned, noTraits, T0 + DAY)).toBe(7);
  });

  it('merges two profiles as if one had seen both histories', () => {
    const evaluator = compileDefinition(computedTrait(aggregate(stream('A', { where: [compare(prop('n'), { op: 'greater_than', operand: lit(0) })] }), { kind: 'mode', field: field('s'), as: 'string', minFrequency: 2 })));
    const a = feed(evaluator, [track('A', T0, { n: 1, s: 'x' }), track('A', T0 + 1, { n: 1, s: 'y' })]);
    const b = feed(evaluator, [track('A', T0 + 2, { n: 1, s: 'y' }), track('A', T0 + 3, { n: -1, s: 'x' })]);
    expect(evaluator.evaluate(a, noTraits, T0 + 5)).toBeUndefined();
    expect(evaluator.evaluate(evaluator.merge(a, b), noTraits, T0 + 5)).toBe('y');
  });
});

describe('monotone audiences', () => {
  it('are the statically filtered count() >= k / > k ones', () => {
    const count = (window?: 'within' | 'between') =>
      aggregate(stream('A', window === undefined ? {} : { window: window === 'within' ? { kind: 'within', duration: days(7) } : { kind: 'between', start: days(1), end: days(7) } }), { kind: 'count' });
    expect(compileDefinition(audience(compare(count('within'), { op: 'at_least', operand: lit(2) }))).monotone).toBe(true);
    expect(compileDefinition(audience(compare(count(), { op: 'greater_than', operand: lit(0) }))).monotone).toBe(true);
    expect(compileDefinition(audience(compare(count('between'), { op: 'at_least', operand: lit(1) }))).monotone).toBe(true);
    expect(compileDefinition(audience(compare(count('within'), { op: 'equals', operand: lit(0) }))).monotone).toBe(false);
    expect(compileDefinition(audience(not(compare(count('within'), { op: 'at_least', operand: lit(1) })))).monotone).toBe(false);
    expect(compileDefinition(computedTrait(count())).monotone).toBe(false);
  });
});

describe('initialAnswer (the answer of a state no event touched)', () => {
  const instants = [0, T0, T0 + 29 * DAY, T0 + 400 * DAY];
  it('is what evaluating the initial state gives, at every instant, for every bench definition that has one', () => {
    let constant = 0;
    for (const record of benchDefinitions('default')) {
      const evaluator = compileDefinition(record.ast);
      if (evaluator.initialAnswer === undefined) continue;
      constant += 1;
      for (const now of instants) expect(evaluator.evaluateWithNextChange(evaluator.initialState(), noTraits, now), `${record.key} at ${now}`).toEqual(evaluator.initialAnswer);
    }
    // Most of the fixture reads no trait: they are the ones a new profile no longer evaluates.
    expect(constant).toBe(50);
  });
  it('is a count of 0 and a non-member, and none for a definition that reads a trait', () => {
    expect(compileDefinition(computedTrait(aggregate(stream('A'), { kind: 'count' }))).initialAnswer).toEqual({ value: 0, nextChangeAt: undefined });
    expect(compileDefinition(audience(compare(aggregate(stream('A'), { kind: 'count' }), { op: 'at_least', operand: lit(1) }))).initialAnswer).toEqual({ value: false, nextChangeAt: undefined });
    expect(compileDefinition(computedTrait(aggregate(stream('A'), { kind: 'sum', field: field('total') }))).initialAnswer).toEqual({ value: undefined, nextChangeAt: undefined });
    expect(compileDefinition(audience(compare(trait('plan'), { op: 'equals', operand: lit('pro') }))).initialAnswer).toBeUndefined();
  });
});

describe("an audience's next change is where its answer flips, not where an input moves", () => {
  const twoInAWeek = compileDefinition(audience(compare(aggregate(stream('Logged In', { window: { kind: 'within', duration: days(7) } }), { kind: 'count' }), { op: 'at_least', operand: lit(2) })));
  it('a non-member whose one occurrence will leave the window never changes by time alone: no timer', () => {
    const state = feed(twoInAWeek, [track('Logged In', T0)]);
    // An occurrence leaving can only lower the count: no candidate at all (it was the exit,
    // which the look-ahead then found flips nothing).
    expect(twoInAWeek.evaluateWithNextChange(state, noTraits, T0 + HOUR)).toEqual({ value: false, nextChangeAt: undefined });
    expect(twoInAWeek.nextChangeAt(state, noTraits, T0 + HOUR)).toBeUndefined();
    expect(twoInAWeek.firstFlip(state, noTraits, false, T0 + 7 * DAY)).toBeUndefined();
  });
  it('a member exits at the first instant the count drops below 2, to the millisecond', () => {
    const state = feed(twoInAWeek, [track('Logged In', T0), track('Logged In', T0 + DAY)]);
    expect(twoInAWeek.nextChangeAt(state, noTraits, T0 + DAY)).toBe(T0 + 7 * DAY);
    // With three in the window the first to leave leaves two: the candidate is the second's exit.
    const three = feed(twoInAWeek, [track('Logged In', T0), track('Logged In', T0 + DAY), track('Logged In', T0 + 2 * DAY)]);
    expect(twoInAWeek.evaluateWithNextChange(three, noTraits, T0 + 2 * DAY)).toEqual({ value: true, nextChangeAt: T0 + 8 * DAY });
  });
  it('a future-dated occurrence still wakes the profile when it makes it a member', () => {
    const state = feed(twoInAWeek, [track('Logged In', T0), [track('Logged In', T0 + 2 * DAY), T0]]);
    expect(twoInAWeek.nextChangeAt(state, noTraits, T0)).toBe(T0 + 2 * DAY);
  });
});

describe('junctions name only the instants that can change their answer', () => {
  const proWithRecentSignup = compileDefinition(
    audience(
      and(
        compare(trait('plan'), { op: 'equals', operand: lit('pro') }),
        compare(aggregate(stream('Signed Up', { window: { kind: 'between', start: days(1), end: days(30) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) }),
      ),
    ),
  );
  const plan = (value: string) => (key: string): Json | undefined => (key === 'plan' ? value : undefined);

  it('a false AND whose time-independent operand is false never changes by time alone: no timer', () => {
    const state = feed(proWithRecentSignup, [track('Signed Up', T0)]);
    expect(proWithRecentSignup.evaluateWithNextChange(state, plan('free'), T0)).toEqual({ value: false, nextChangeAt: undefined });
    expect(proWithRecentSignup.nextChangeAt(state, plan('free'), T0)).toBeUndefined();
  });

  it('a false AND changes when its false operand does: the sign-up enters the window at + 1 day, leaves at + 30 days', () => {
    const state = feed(proWithRecentSignup, [track('Signed Up', T0)]);
    expect(proWithRecentSignup.evaluateWithNextChange(state, plan('pro'), T0)).toEqual({ value: false, nextChangeAt: T0 + DAY });
    expect(proWithRecentSignup.evaluateWithNextChange(state, plan('pro'), T0 + DAY)).toEqual({ value: true, nextChangeAt: T0 + 30 * DAY });
    expect(proWithRecentSignup.evaluate(state, plan('pro'), T0 + 30 * DAY)).toBe(false);
  });

  it('a false AND waits for the latest of its false operands, and a true OR decided for good names nothing', () => {
    const windowed = (event: string, duration: number) => compare(aggregate(stream(event, { window: { kind: 'within', duration: days(duration) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) });
    // Both false until their future-dated occurrences come due: at + 2 d and at + 5 d.
    const both = compileDefinition(audience(and(windowed('A', 10), windowed('B', 10))));
    const state = feed(both, [[track('A', T0 + 2 * DAY), T0], [track('B', T0 + 5 * DAY), T0]]);
    expect(both.evaluateWithNextChange(state, noTraits, T0)).toEqual({ value: false, nextChangeAt: T0 + 5 * DAY });
    const either = compileDefinition(audience(or(compare(trait('plan'), { op: 'equals', operand: lit('pro') }), windowed('A', 10))));
    const signedUp = feed(either, [track('A', T0)]);
    expect(either.evaluateWithNextChange(signedUp, plan('pro'), T0)).toEqual({ value: true, nextChangeAt: undefined });
    expect(either.evaluateWithNextChange(signedUp, plan('free'), T0)).toEqual({ value: true, nextChangeAt: T0 + 10 * DAY });
  });
});

describe('settled funnel parents', () => {
  it('settle once their child window closes, count by time range after, and reopen when a late child joins their window', () => {
    const funnel = compileDefinition(cartAbandonment);
    const added = track('Product Added', T0);
    let state = funnel.advance(funnel.initialState(), added, T0);
    expect(state).toEqual({ s: 'retained', occ: [T0], kids: [[]] });
    // A day on, no order came: the parent settles as passing, for good.
    state = funnel.prune(state, T0 + DAY);
    expect(state).toEqual({ s: 'retained', occ: [], kids: [[]], pass: [T0], fail: [] });
    expect(funnel.evaluateWithNextChange(state, noTraits, T0 + DAY)).toEqual({ value: true, nextChangeAt: T0 + 7 * DAY });
    // An order placed an hour after the cart, arriving two days late, reopens the parent: it had an order in time.
    state = funnel.advance(state, track('Order Completed', T0 + HOUR), T0 + 2 * DAY);
    expect(state).toEqual({ s: 'retained', occ: [], kids: [[T0 + HOUR]], pass: [], fail: [T0] });
    expect(funnel.evaluate(state, noTraits, T0 + 2 * DAY)).toBe(false);
    // A late order outside the parent's day leaves it settled.
    const other = funnel.advance(funnel.prune(funnel.advance(funnel.initialState(), added, T0), T0 + DAY), track('Order Completed', T0 + DAY + HOUR), T0 + 2 * DAY);
    expect(other).toMatchObject({ pass: [T0], fail: [] });
    expect(funnel.evaluate(other, noTraits, T0 + 2 * DAY)).toBe(true);
  });

  it('are not kept for a funnel whose filter reads a trait (its answer can change at any time)', () => {
    const byPlan = compileDefinition(
      audience(
        compare(
          aggregate(
            stream('Product Added', {
              where: [or(compare(aggregate(stream('Order Completed', { window: { kind: 'parent', duration: days(1) } }), { kind: 'count' }), { op: 'equals', operand: lit(0) }), compare(trait('plan'), { op: 'equals', operand: lit('pro') }))],
              window: { kind: 'within', duration: days(7) },
            }),
            { kind: 'count' },
          ),
          { op: 'at_least', operand: lit(1) },
        ),
      ),
    );
    const state = byPlan.prune(byPlan.advance(byPlan.initialState(), track('Product Added', T0), T0), T0 + 2 * DAY);
    expect(state).toEqual({ s: 'retained', occ: [T0], kids: [[]] });
  });
});

describe('state layout', () => {
  it('reads a state stored in the earlier {version, streams} layout as its own, and answers the same from it', () => {
    const sum = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'sum', field: field('n') })));
    const current = feed(sum, [track('A', T0, { n: 2 }), track('A', T0 + HOUR, { n: 3 })]);
    // A definition of one root stream keeps that stream's state itself, not a wrapper.
    expect(current['streams']).toBeUndefined();
    const stored = { version: 1, streams: [current] };
    expect(sum.evaluateWithNextChange(stored, noTraits, T0 + HOUR)).toEqual(sum.evaluateWithNextChange(current, noTraits, T0 + HOUR));
    const next = track('A', T0 + 2 * HOUR, { n: 4 });
    const fromStored = sum.observe(stored, next, T0 + 2 * HOUR);
    expect(fromStored['streams']).toBeUndefined();
    expect(fromStored).toEqual(sum.observe(current, next, T0 + 2 * HOUR));
    expect(sum.evaluate(sum.merge(stored, sum.initialState()), noTraits, T0 + 2 * HOUR)).toBe(5);
  });

  it('keeps occurrences flat: one array of time and fields per list, not an object per occurrence', () => {
    const last = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'last', field: field('n') })));
    const state = feed(last, [track('A', T0, { n: 2 }), track('A', T0 + HOUR, { n: 3 })]);
    // Time, messageId (`last` breaks ties with it), then the projected field.
    expect(state).toEqual([T0, 'm' + String(seq - 1).padStart(4, '0'), 2, T0 + HOUR, 'm' + String(seq).padStart(4, '0'), 3]);
  });

  // States stored before lists were flat held an object {t, m, v} per occurrence. They load as
  // they are: `observe`, `prune` and `merge` read them in today's layout, and `upgrade` (which the
  // actor applies once, when it aligns a loaded state) brings them there for the evaluations. Each
  // then answers as the same history fed afresh.
  it('reads lists stored with an object per occurrence: windows, funnel children, pending occurrences, several streams', () => {
    const legacy = (t: number, v: Json[] = [], m = ''): { t: number; m: string; v: Json[] } => ({ t, m, v });
    const sum = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'sum', field: field('n') })));
    const oldSum = { s: 'retained', occ: [legacy(T0, [2]), legacy(T0 + HOUR, [3])], kids: [] };
    expect(sum.evaluateWithNextChange(sum.upgrade(oldSum), noTraits, T0 + HOUR)).toEqual({ value: 5, nextChangeAt: T0 + 7 * DAY });
    const fedAfresh = feed(sum, [track('A', T0, { n: 2 }), track('A', T0 + HOUR, { n: 3 }), track('A', T0 + 2 * HOUR, { n: 4 })]);
    expect(sum.observe(oldSum, track('A', T0 + 2 * HOUR, { n: 4 }), T0 + 2 * HOUR)).toEqual(fedAfresh);
    // A prune that drops nothing still hands back the state in today's layout, so it is stored so.
    expect(sum.prune(oldSum, T0 + HOUR)).toEqual(feed(sum, [track('A', T0, { n: 2 }), track('A', T0 + HOUR, { n: 3 })]));
    expect(sum.evaluate(sum.merge(oldSum, feed(sum, [track('A', T0 + 30 * 60_000, { n: 10 })])), noTraits, T0 + HOUR)).toBe(15);

    const lastOne = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'last', field: field('n') })));
    // Two at the same instant: `last` takes the greater messageId.
    const oldLast = { s: 'retained', occ: [legacy(T0, [7], 'm2'), legacy(T0, [8], 'm9')], kids: [] };
    expect(lastOne.evaluate(lastOne.upgrade(oldLast), noTraits, T0)).toBe(8);

    const count = compileDefinition(computedTrait(aggregate(stream('A'), { kind: 'count' })));
    // A summary waiting for a future-dated occurrence.
    const oldSummary = { s: 'summary', acc: { k: 'count', n: 2 }, pending: [legacy(T0 + DAY)] };
    expect(count.evaluateWithNextChange(count.upgrade(oldSummary), noTraits, T0)).toEqual({ value: 2, nextChangeAt: T0 + DAY });
    expect(count.evaluate(count.prune(oldSummary, T0 + DAY), noTraits, T0 + DAY)).toBe(3);

    const funnel = compileDefinition(cartAbandonment);
    // Added at T0 and at T0 + 2 days, ordered at T0 + 1 hour: only the second is abandoned.
    const oldFunnel = { s: 'retained', occ: [legacy(T0), legacy(T0 + 2 * DAY)], kids: [[legacy(T0 + HOUR)]] };
    expect(funnel.evaluateWithNextChange(funnel.upgrade(oldFunnel), noTraits, T0 + 2 * DAY)).toEqual({ value: false, nextChangeAt: T0 + 3 * DAY });
    expect(funnel.evaluate(funnel.upgrade(oldFunnel), noTraits, T0 + 3 * DAY)).toBe(true);

    const two = compileDefinition(
      audience(
        and(
          compare(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) }),
          compare(aggregate(stream('B'), { kind: 'count' }), { op: 'at_least', operand: lit(1) }),
        ),
      ),
    );
    const oldTwo = { version: 1, streams: [{ s: 'retained', occ: [legacy(T0)], kids: [] }, { s: 'summary', acc: { k: 'count', n: 1 }, pending: [] }] };
    expect(two.evaluateWithNextChange(two.upgrade(oldTwo), noTraits, T0)).toEqual({ value: true, nextChangeAt: T0 + 7 * DAY });
    expect(two.prune(oldTwo, T0)).toEqual(feed(two, [track('A', T0), track('B', T0)]));
    expect(two.upgrade(oldTwo)).toEqual(feed(two, [track('A', T0), track('B', T0)]));
    // A state already in today's layout is its own upgrade: the actor writes nothing for it.
    const current = feed(funnel, [track('Product Added', T0)]);
    expect(funnel.upgrade(current)).toBe(current);
  });

  it('reads a stream without funnel children stored wrapped as {s: retained, occ, kids: []}, and keeps it as its list', () => {
    const sum = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(7) } }), { kind: 'sum', field: field('n') })));
    const wrapped = { s: 'retained', occ: [T0, 2, T0 + HOUR, 3], kids: [] };
    expect(sum.upgrade(wrapped)).toEqual([T0, 2, T0 + HOUR, 3]);
    expect(sum.evaluate(sum.upgrade(wrapped), noTraits, T0 + HOUR)).toBe(5);
    expect(sum.observe(wrapped, track('A', T0 + 2 * HOUR, { n: 4 }), T0 + 2 * HOUR)).toEqual([T0, 2, T0 + HOUR, 3, T0 + 2 * HOUR, 4]);
    expect(sum.prune(wrapped, T0 + 7 * DAY)).toEqual([T0 + HOUR, 3]);
    expect(sum.evaluate(sum.merge(wrapped, feed(sum, [track('A', T0 + 30 * 60_000, { n: 10 })])), noTraits, T0 + HOUR)).toBe(15);
  });

  it('keeps a window as one flat list up to 128 occurrences, in segments of 64 beyond, and flat again once down to one segment', () => {
    const sum = compileDefinition(computedTrait(aggregate(stream('A', { window: { kind: 'within', duration: days(30) } }), { kind: 'sum', field: field('n') })));
    const hourly = (from: number, count: number): TrackedEvent[] => Array.from({ length: count }, (_, i) => track('A', T0 + (from + i) * HOUR, { n: 1 }));
    const flat = feed(sum, hourly(0, 128));
    expect(Array.isArray(flat)).toBe(true);
    const segmented = feed(sum, hourly(0, 129));
    expect(segmented).toMatchObject({ s: 'seg', accs: [{ k: 'sum', sum: 64, n: 64 }, { k: 'sum', sum: 64, n: 64 }, { k: 'sum', sum: 1, n: 1 }] });
    expect(sum.evaluateWithNextChange(segmented, noTraits, T0 + 128 * HOUR)).toEqual({ value: 129, nextChangeAt: T0 + 30 * DAY });
    // 30 days after the 64th occurrence the first segment has left the window; one more hour, the second.
    expect(sum.evaluate(segmented, noTraits, T0 + 30 * DAY + 63 * HOUR)).toBe(65);
    expect(sum.prune(segmented, T0 + 30 * DAY + 63 * HOUR)).toMatchObject({ s: 'seg', accs: [{ n: 64 }, { n: 1 }] });
    const down = sum.prune(segmented, T0 + 30 * DAY + 127 * HOUR);
    expect(down).toEqual([T0 + 128 * HOUR, 1]);
    expect(sum.evaluate(down, noTraits, T0 + 30 * DAY + 127 * HOUR)).toBe(1);
  });

  it('keeps the {version, streams} layout for a definition of several root streams', () => {
    const two = compileDefinition(
      audience(
        and(
          compare(aggregate(stream('A'), { kind: 'count' }), { op: 'at_least', operand: lit(1) }),
          compare(aggregate(stream('B'), { kind: 'count' }), { op: 'at_least', operand: lit(1) }),
        ),
      ),
    );
    const state = feed(two, [track('A', T0), track('B', T0)]);
    expect(state['version']).toBe(1);
    expect(state['streams']).toHaveLength(2);
    expect(two.evaluate(state, noTraits, T0)).toBe(true);
  });
});

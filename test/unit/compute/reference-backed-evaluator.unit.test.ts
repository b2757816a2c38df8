import { describe, expect, it } from 'vitest';
import type { EvaluatorState } from '../../../src/compute/definition-evaluator.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json } from '../../../src/shared/json.ts';
import { trackedEvent } from '../../support/events.ts';
import { DAY, HOUR, agg, atLeast, audience, cmp, computedTrait, count, days, eq, hours, stream, trait, within, withinLast, withinParent } from '../../support/reference/ast-builders.ts';
import { compileReferenceBacked } from '../../support/reference/reference-backed-evaluator.ts';

// The harness's correct evaluator: its nextChangeAt must name every instant the answer flips
// (window edges, settling funnels, future-dated events, relative-date bounds). Hand-computed.

const T0 = Date.UTC(2026, 0, 5);
const noTraits = (): Json | undefined => undefined;

function ev(messageId: string, name: string, offset: number, receivedOffset = offset): TrackedEvent {
  return trackedEvent({ messageId, event: name, timestamp: T0 + offset, receivedAt: T0 + receivedOffset });
}

const cartAbandonment = audience(
  cmp(agg(stream('Product Added', { where: [cmp(agg(stream('Order Completed', { window: withinParent(days(1)) }), count()), eq(0))], window: within(days(7)) }), count()), atLeast(1)),
);

describe('reference-backed evaluator', () => {
  const evaluator = compileReferenceBacked(cartAbandonment);
  const observeAll = (events: readonly TrackedEvent[]): EvaluatorState => events.reduce((state, e) => evaluator.observe(state, e, e.receivedAt), evaluator.initialState());

  it('declares the event names and trait keys of its definition', () => {
    expect([...evaluator.eventNames].sort()).toEqual(['Order Completed', 'Product Added']);
    expect([...compileReferenceBacked(audience(cmp(trait('plan'), eq('pro')))).traitKeys]).toEqual(['plan']);
  });

  it('keeps the state object when an event cannot matter', () => {
    const state = evaluator.initialState();
    expect(evaluator.observe(state, ev('m1', 'Other', 0), T0)).toBe(state);
  });

  it('wakes when a cart-abandonment parent settles, and when it leaves the window', () => {
    const state = observeAll([ev('m1', 'Product Added', 0)]);
    expect(evaluator.nextChangeAt(state, noTraits, T0)).toBe(T0 + DAY);
    expect(evaluator.evaluate(state, noTraits, T0 + DAY)).toBe(true);
    expect(evaluator.nextChangeAt(state, noTraits, T0 + DAY)).toBe(T0 + 7 * DAY);
    expect(evaluator.nextChangeAt(state, noTraits, T0 + 7 * DAY)).toBeUndefined();
  });

  it('never wakes for a cart that was ordered in time', () => {
    const state = observeAll([ev('m1', 'Product Added', 0), ev('m2', 'Order Completed', HOUR)]);
    const next = evaluator.nextChangeAt(state, noTraits, T0 + HOUR);
    // Early answers are allowed; none may promise a change that the reference then contradicts.
    for (let at = T0 + HOUR, n = next; n !== undefined; at = n, n = evaluator.nextChangeAt(state, noTraits, at)) {
      expect(evaluator.evaluate(state, noTraits, n)).toBe(false);
    }
  });

  it('wakes when a future-dated event comes due', () => {
    const counted = compileReferenceBacked(audience(cmp(agg(stream('A', { window: within(hours(2)) }), count()), atLeast(1))));
    const state = counted.observe(counted.initialState(), ev('m1', 'A', 5 * HOUR, 0), T0);
    expect(counted.nextChangeAt(state, noTraits, T0)).toBe(T0 + 5 * HOUR);
    expect(counted.nextChangeAt(state, noTraits, T0 + 5 * HOUR)).toBe(T0 + 7 * HOUR);
  });

  it('wakes one millisecond past a relative-date bound on a trait', () => {
    const recent = compileReferenceBacked(audience(cmp(trait('seen'), withinLast(hours(3)))));
    const traits = (key: string): Json | undefined => (key === 'seen' ? new Date(T0).toISOString() : undefined);
    expect(recent.nextChangeAt(recent.initialState(), traits, T0 - HOUR)).toBe(T0);
    expect(recent.nextChangeAt(recent.initialState(), traits, T0)).toBe(T0 + 3 * HOUR + 1);
    expect(recent.nextChangeAt(recent.initialState(), traits, T0 + 3 * HOUR + 1)).toBeUndefined();
  });

  it('merges two histories as one, without doubling an event both saw', () => {
    const a = observeAll([ev('m1', 'Product Added', 0)]);
    const b = observeAll([ev('m1', 'Product Added', 0), ev('m2', 'Order Completed', HOUR)]);
    expect(evaluator.evaluate(evaluator.merge(a, b), noTraits, T0 + DAY)).toBe(false);
    const added = compileReferenceBacked(computedTrait(agg(stream('Product Added'), count())));
    const seen = added.observe(added.initialState(), ev('m1', 'Product Added', 0), T0);
    expect(added.evaluate(added.merge(seen, seen), noTraits, T0)).toBe(1);
  });
});

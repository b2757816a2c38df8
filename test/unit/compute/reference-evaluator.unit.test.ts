import { describe, expect, it } from 'vitest';
import type { Condition, DefinitionAst } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json, JsonObject } from '../../../src/shared/json.ts';
import { trackedEvent } from '../../support/events.ts';
import {
  AT,
  DAY,
  HOUR,
  absent,
  afterDate,
  afterNext,
  agg,
  and,
  atLeast,
  atMost,
  audience,
  avg,
  beforeDate,
  beforeLast,
  between,
  cmp,
  computedTrait,
  contains,
  context,
  count,
  ctx,
  days,
  differs,
  endsWith,
  eq,
  exists,
  first,
  gt,
  hours,
  last,
  lit,
  lt,
  max,
  min,
  mode,
  not,
  omits,
  oneOf,
  or,
  parentProp,
  prop,
  property,
  startsWith,
  stream,
  sum,
  trait,
  unique,
  uniqueCount,
  within,
  withinLast,
  withinNext,
  withinParent,
} from '../../support/reference/ast-builders.ts';
import { referenceAnswer } from '../../support/reference/reference-evaluator.ts';

// Every expectation here is computed by hand from src/compute/SEMANTICS.md, not by running code.

const T0 = Date.UTC(2026, 0, 5);

/** A track event `name` at T0 + `offset` ms (received then, unless told otherwise). */
function ev(messageId: string, name: string, offset: number, properties: JsonObject = {}, extra: Partial<TrackedEvent> = {}): TrackedEvent {
  return trackedEvent({ messageId, event: name, timestamp: T0 + offset, receivedAt: T0 + offset, properties, ...extra });
}

function answer(ast: DefinitionAst, events: readonly TrackedEvent[], now: number, traits: Record<string, Json> = {}): Json | undefined {
  return referenceAnswer(ast, { events, traits }, now);
}

const countOf = (name: string, parts: Parameters<typeof stream>[1] = {}): DefinitionAst => computedTrait(agg(stream(name, parts), count()));
const member = (name: string, parts: Parameters<typeof stream>[1] = {}): DefinitionAst => audience(cmp(agg(stream(name, parts), count()), atLeast(1)));

describe('reference evaluator: occurrences', () => {
  it('takes track events by name, page calls as Page Viewed, screen calls as Screen Viewed, never identifies', () => {
    const events = [
      ev('m1', 'A', 0),
      ev('m2', 'B', 0),
      ev('m3', 'Page Viewed', 0),
      trackedEvent({ messageId: 'm4', type: 'page', name: 'Home', timestamp: T0, receivedAt: T0 }),
      trackedEvent({ messageId: 'm5', type: 'screen', name: 'Main', timestamp: T0, receivedAt: T0 }),
      trackedEvent({ messageId: 'm6', type: 'identify', event: 'A', timestamp: T0, receivedAt: T0 }),
    ];
    expect(answer(countOf('A'), events, T0)).toBe(1);
    expect(answer(countOf('Page Viewed'), events, T0)).toBe(2);
    expect(answer(countOf('Screen Viewed'), events, T0)).toBe(1);
  });

  it('counts a future-dated event only from its timestamp on', () => {
    const events = [ev('m1', 'A', 2 * HOUR, {}, { receivedAt: T0 })];
    expect(answer(countOf('A'), events, T0)).toBe(0);
    expect(answer(countOf('A'), events, T0 + 2 * HOUR - 1)).toBe(0);
    expect(answer(countOf('A'), events, T0 + 2 * HOUR)).toBe(1);
    expect(answer(member('A'), events, T0 + 2 * HOUR - 1)).toBe(false);
    expect(answer(member('A'), events, T0 + 2 * HOUR)).toBe(true);
  });

  it('drops occurrences from excluded sources', () => {
    const events = [ev('m1', 'A', 0, {}, { sourceId: 's1' }), ev('m2', 'A', 0, {}, { sourceId: 's2' }), ev('m3', 'A', 0, {}, { sourceId: 's3' })];
    expect(answer(countOf('A', { exclude: ['s1', 's3'] }), events, T0)).toBe(1);
    expect(answer(countOf('A', { exclude: [] }), events, T0)).toBe(3);
  });

  it('throws on account quantifiers, which are out of scope', () => {
    const quantified: Condition = { kind: 'quantified', quantifier: 'any', negated: false, operand: cmp(lit(1), eq(1)), at: AT };
    expect(() => answer(audience(quantified), [], T0)).toThrow(/ANY.*out of scope/);
  });
});

describe('reference evaluator: windows', () => {
  const events = [ev('m1', 'A', 0)];

  it('within(30 days) holds an occurrence until ts + 30 days - 1 ms, not at ts + 30 days', () => {
    const def = member('A', { window: within(days(30)) });
    expect(answer(def, events, T0 - 1)).toBe(false);
    expect(answer(def, events, T0)).toBe(true);
    expect(answer(def, events, T0 + 30 * DAY - 1)).toBe(true);
    expect(answer(def, events, T0 + 30 * DAY)).toBe(false);
  });

  it('90 days is 2,160 hours', () => {
    for (const window of [within(days(90)), within(hours(2160))]) {
      expect(answer(member('A', { window }), events, T0 + 2160 * HOUR - 1)).toBe(true);
      expect(answer(member('A', { window }), events, T0 + 2160 * HOUR)).toBe(false);
    }
  });

  it('between(S, E) holds an occurrence from ts + S to ts + E - 1 ms', () => {
    const def = member('A', { window: between(hours(2), hours(5)) });
    expect(answer(def, events, T0 + 2 * HOUR - 1)).toBe(false);
    expect(answer(def, events, T0 + 2 * HOUR)).toBe(true);
    expect(answer(def, events, T0 + 5 * HOUR - 1)).toBe(true);
    expect(answer(def, events, T0 + 5 * HOUR)).toBe(false);
  });

  it('a within window never counts a future-dated occurrence early', () => {
    const future = [ev('m1', 'A', HOUR, {}, { receivedAt: T0 })];
    expect(answer(countOf('A', { window: within(hours(3)) }), future, T0)).toBe(0);
    expect(answer(countOf('A', { window: within(hours(3)) }), future, T0 + HOUR)).toBe(1);
  });
});

describe('reference evaluator: values', () => {
  const nested = [ev('m1', 'A', 0, { a: { b: 'x' }, list: [{ b: 'y' }], n: null }, { context: { page: { url: 'https://u' } } })];
  const read = (expr: Parameters<typeof cmp>[0]): DefinitionAst => audience(cmp(agg(stream('A', { where: [cmp(expr, exists())] }), count()), atLeast(1)));

  it('reads dotted property and context paths through objects only', () => {
    expect(answer(read(prop('a.b')), nested, T0)).toBe(true);
    expect(answer(read(prop('list.0.b')), nested, T0)).toBe(false);
    expect(answer(read(prop('a.b.c')), nested, T0)).toBe(false);
    expect(answer(read(ctx('page.url')), nested, T0)).toBe(true);
    expect(answer(computedTrait(agg(stream('A'), first(context('page.url')))), nested, T0)).toBe('https://u');
  });

  it('treats null as absent and never reads inherited keys', () => {
    expect(answer(read(prop('n')), nested, T0)).toBe(false);
    expect(answer(read(prop('constructor')), nested, T0)).toBe(false);
    expect(answer(audience(cmp(trait('t'), absent())), [], T0, { t: null })).toBe(true);
  });

  it('reads page_name from a page call name when the properties lack it', () => {
    const pages = [
      trackedEvent({ messageId: 'm1', type: 'page', name: 'Home', timestamp: T0, receivedAt: T0 }),
      trackedEvent({ messageId: 'm2', type: 'page', name: 'Home', properties: { page_name: 'Own' }, timestamp: T0 + 1, receivedAt: T0 + 1 }),
      trackedEvent({ messageId: 'm3', type: 'screen', name: 'Main', timestamp: T0, receivedAt: T0 }),
    ];
    expect(answer(computedTrait(agg(stream('Page Viewed'), unique(property('page_name')))), pages, T0 + 1)).toEqual(['Home', 'Own']);
    expect(answer(computedTrait(agg(stream('Screen Viewed'), first(property('screen_name')))), pages, T0)).toBe('Main');
    expect(answer(computedTrait(agg(stream('Screen Viewed'), first(property('page_name')))), pages, T0)).toBeUndefined();
  });
});

describe('reference evaluator: comparators', () => {
  const holds = (subject: Json, comparator: Parameters<typeof cmp>[1], traits: Record<string, Json> = {}): Json | undefined =>
    answer(audience(cmp(trait('s'), comparator)), [], T0, { s: subject, ...traits });

  it('equals: identity of JSON type and value, deep, object keys in any order', () => {
    expect(holds(1, eq(1))).toBe(true);
    expect(holds(1, eq('1'))).toBe(false);
    expect(holds('a', eq('A'))).toBe(false);
    expect(holds([1, { a: 1, b: 2 }], eq(trait('o')), { o: [1, { b: 2, a: 1 }] })).toBe(true);
    expect(holds([1, 2], eq(trait('o')), { o: [2, 1] })).toBe(false);
    expect(holds(true, eq(true))).toBe(true);
  });

  it('every comparator but absent() and exists() is false on an absent subject or operand', () => {
    expect(answer(audience(cmp(trait('missing'), eq(trait('missing')))), [], T0)).toBe(false);
    expect(holds(1, eq(trait('missing')))).toBe(false);
    expect(holds(1, differs(trait('missing')))).toBe(false);
    expect(answer(audience(cmp(trait('missing'), differs(1))), [], T0)).toBe(false);
    expect(answer(audience(not(cmp(trait('missing'), eq(1)))), [], T0)).toBe(true);
    expect(holds(null, exists())).toBe(false);
    expect(holds(0, exists())).toBe(true);
    expect(holds('', absent())).toBe(false);
  });

  it('differs: both present and not identical', () => {
    expect(holds(1, differs(2))).toBe(true);
    expect(holds(1, differs('1'))).toBe(true);
    expect(holds(1, differs(1))).toBe(false);
  });

  it('orders numbers numerically and strings by code point, and nothing else', () => {
    expect(holds(10, gt(9))).toBe(true);
    expect(holds(9, atLeast(9))).toBe(true);
    expect(holds(9, lt(9))).toBe(false);
    expect(holds(-1, atMost(-1))).toBe(true);
    expect(holds('B', lt('a'))).toBe(true);
    expect(holds('10', lt('9'))).toBe(true);
    // U+1F600 is above U+FFFF by code point, below it by UTF-16 code unit.
    expect(holds('\u{1F600}', gt('\uFFFF'))).toBe(true);
    expect(holds('5', gt(1))).toBe(false);
    expect(holds(5, lt('9'))).toBe(false);
    expect(holds(true, atLeast(false))).toBe(false);
  });

  it('text comparators read text forms, skip absent operands, and are false when none is left', () => {
    expect(holds('shoes', contains('x', 'oe'))).toBe(true);
    expect(holds(123, contains(2))).toBe(true);
    expect(holds([1, 2], contains('1,2'))).toBe(true);
    expect(holds(true, contains('ru'))).toBe(true);
    expect(holds('Shoes', contains('shoes'))).toBe(false);
    expect(holds('shoes', omits('x', 'y'))).toBe(true);
    expect(holds('shoes', omits('x', 'oe'))).toBe(false);
    expect(holds('shoes', omits(trait('missing')))).toBe(false);
    expect(holds('shoes', contains(trait('missing'), 'sh'))).toBe(true);
    expect(holds('shoes', startsWith('x', 'sh'))).toBe(true);
    expect(holds('shoes', endsWith('oe'))).toBe(false);
    expect(holds(1.5, endsWith('.5'))).toBe(true);
    expect(holds('b', oneOf('a', 'b'))).toBe(true);
    expect(holds(1, oneOf('1'))).toBe(false);
    expect(holds('a', oneOf(trait('missing')))).toBe(false);
  });

  it('absolute dates are strict and read ISO strings or epoch ms', () => {
    expect(holds('2026-01-04T23:59:59.999Z', beforeDate('2026-01-05'))).toBe(true);
    expect(holds('2026-01-05', beforeDate('2026-01-05T00:00:00Z'))).toBe(false);
    expect(holds(T0 + 1, afterDate('2026-01-05'))).toBe(true);
    expect(holds(T0, afterDate('2026-01-05'))).toBe(false);
    expect(holds('Jan 6 2026', afterDate('2026-01-05'))).toBe(false);
    expect(holds('2026-01-05T00:00:00.001', afterDate('2026-01-05'))).toBe(true);
    expect(holds('2026-01-05T02:00:00+03:00', beforeDate('2026-01-05'))).toBe(true);
    expect(holds(true, beforeDate('2026-01-05'))).toBe(false);
  });

  it('relative dates are inclusive at their exact millisecond bounds', () => {
    const t = '2026-01-05T00:00:00.000Z';
    const at = (now: number, comparator: Parameters<typeof cmp>[1]): Json | undefined => answer(audience(cmp(trait('d'), comparator)), [], now, { d: t });
    expect(at(T0 - 1, withinLast(days(1)))).toBe(false);
    expect(at(T0, withinLast(days(1)))).toBe(true);
    expect(at(T0 + DAY, withinLast(days(1)))).toBe(true);
    expect(at(T0 + DAY + 1, withinLast(days(1)))).toBe(false);
    expect(at(T0 + DAY, beforeLast(days(1)))).toBe(false);
    expect(at(T0 + DAY + 1, beforeLast(days(1)))).toBe(true);
    expect(at(T0 - HOUR - 1, withinNext(hours(1)))).toBe(false);
    expect(at(T0 - HOUR, withinNext(hours(1)))).toBe(true);
    expect(at(T0, withinNext(hours(1)))).toBe(true);
    expect(at(T0 + 1, withinNext(hours(1)))).toBe(false);
    expect(at(T0 - HOUR - 1, afterNext(hours(1)))).toBe(true);
    expect(at(T0 - HOUR, afterNext(hours(1)))).toBe(false);
  });

  it('compares a property with a trait or the other property inside a where', () => {
    const events = [ev('m1', 'A', 0, { price: 120, floor: 100 }), ev('m2', 'A', 1, { price: 80, floor: 100 })];
    expect(answer(countOf('A', { where: [cmp(prop('price'), atLeast(trait('avg')))] }), events, T0 + 1, { avg: 100 })).toBe(1);
    expect(answer(countOf('A', { where: [cmp(prop('price'), gt(prop('floor')))] }), events, T0 + 1)).toBe(1);
    expect(answer(countOf('A', { where: [cmp(prop('price'), atLeast(trait('missing')))] }), events, T0 + 1)).toBe(0);
  });
});

describe('reference evaluator: reducers', () => {
  const value = (reducer: Parameters<typeof agg>[1], events: readonly TrackedEvent[], now = T0 + DAY): Json | undefined => answer(computedTrait(agg(stream('A'), reducer)), events, now);
  const n = (id: string, offset: number, v: Json | undefined): TrackedEvent => ev(id, 'A', offset, v === undefined ? {} : { v });

  it('count and unique count are 0 over an empty stream; the others are absent', () => {
    for (const reducer of [count(), uniqueCount(property('v'))]) expect(value(reducer, [])).toBe(0);
    for (const reducer of [sum(property('v')), avg(property('v')), min(property('v')), max(property('v'), 'string'), mode(property('v'), 1), first(property('v')), last(property('v')), unique(property('v'))]) {
      expect(value(reducer, [])).toBeUndefined();
    }
  });

  it('sum and avg take finite numbers only, and are absent when there is none', () => {
    const events = [n('m1', 0, 2), n('m2', 1, '5'), n('m3', 2, null), n('m4', 3, -5), n('m5', 4, undefined)];
    expect(value(sum(property('v')), events)).toBe(-3);
    expect(value(avg(property('v')), events)).toBe(-1.5);
    expect(value(sum(property('v')), [n('m1', 0, '5')])).toBeUndefined();
  });

  it('min and max as number take numbers; as string take text forms of scalars by code point', () => {
    const events = [n('m1', 0, 10), n('m2', 1, 9), n('m3', 2, 'Z'), n('m4', 3, 'a'), n('m5', 4, [1]), n('m6', 5, true)];
    expect(value(min(property('v')), events)).toBe(9);
    expect(value(max(property('v')), events)).toBe(10);
    expect(value(min(property('v'), 'string'), events)).toBe('10');
    expect(value(max(property('v'), 'string'), events)).toBe('true');
    expect(value(min(property('v')), [n('m1', 0, 'x')])).toBeUndefined();
    expect(value(max(property('v'), 'string'), [n('m1', 0, { a: 1 })])).toBeUndefined();
  });

  it('mode: the most frequent group reaching minFrequency, ties to the smaller text form', () => {
    const events = [n('m1', 0, 'b'), n('m2', 1, 'a'), n('m3', 2, 'b'), n('m4', 3, 'a'), n('m5', 4, 'c'), n('m6', 5, 1), n('m7', 6, '1'), n('m8', 7, 1)];
    expect(value(mode(property('v'), 2), events)).toBe(1);
    expect(value(mode(property('v'), 2), events.slice(0, 5))).toBe('a');
    expect(value(mode(property('v'), 3), events.slice(0, 5))).toBeUndefined();
    // 1 and '1' are different groups with the same text form: the JSON type name breaks the tie.
    expect(value(mode(property('v'), 1, 'number'), [n('m1', 0, '1'), n('m2', 1, 1)])).toBe(1);
  });

  it('first and last: by timestamp then messageId, skipping occurrences without the value', () => {
    const events = [n('m2', 0, 'second'), n('m1', 0, 'first'), n('m3', 5, 'late'), n('m9', 9, undefined), n('m0', -1, null)];
    expect(value(first(property('v')), events)).toBe('first');
    expect(value(last(property('v')), events)).toBe('late');
    // 'm10' < 'm9' by code point.
    expect(value(last(property('v')), [n('m9', 0, 'nine'), n('m10', 0, 'ten')])).toBe('nine');
  });

  it('unique: distinct present values sorted by text form, then JSON type name', () => {
    const events = [n('m1', 0, 'b'), n('m2', 1, 2), n('m3', 2, '2'), n('m4', 3, 'b'), n('m5', 4, 10), n('m6', 5, null), n('m7', 6, { k: 1 })];
    expect(value(unique(property('v')), events)).toEqual([10, 2, '2', 'b', { k: 1 }]);
    expect(value(uniqueCount(property('v')), events)).toBe(5);
  });

  it('reduces only the occurrences in the window: the value disappears when the stream empties', () => {
    const def = computedTrait(agg(stream('A', { window: within(hours(1)) }), sum(property('v'))));
    const events = [n('m1', 0, 4)];
    expect(answer(def, events, T0 + HOUR - 1)).toBe(4);
    expect(answer(def, events, T0 + HOUR)).toBeUndefined();
    expect(answer(computedTrait(agg(stream('A', { window: within(hours(1)) }), count())), events, T0 + HOUR)).toBe(0);
  });

  it('a computed trait whose root is a trait or a null literal', () => {
    expect(answer(computedTrait(trait('t')), [], T0, { t: 'x' })).toBe('x');
    expect(answer(computedTrait(trait('t')), [], T0, { t: null })).toBeUndefined();
    expect(answer(computedTrait(lit(null)), [], T0)).toBeUndefined();
  });
});

describe('reference evaluator: junctions', () => {
  it('AND, OR and NOT over comparisons at the top level', () => {
    const yes = cmp(lit(1), eq(1));
    const no = cmp(lit(1), eq(2));
    expect(answer(audience(and(yes, no)), [], T0)).toBe(false);
    expect(answer(audience(or(no, yes)), [], T0)).toBe(true);
    expect(answer(audience(not(and(yes, yes))), [], T0)).toBe(false);
    expect(answer(audience(or(and(yes, no), not(no))), [], T0)).toBe(true);
  });
});

describe('reference evaluator: funnels', () => {
  const cartAbandonment = audience(
    cmp(
      agg(stream('Product Added', { where: [cmp(agg(stream('Order Completed', { window: withinParent(days(1)) }), count()), eq(0))], window: within(days(7)) }), count()),
      atLeast(1),
    ),
  );
  const added = (id: string, offset: number, properties: JsonObject = {}): TrackedEvent => ev(id, 'Product Added', offset, properties);
  const order = (id: string, offset: number, extra: Partial<TrackedEvent> = {}): TrackedEvent => ev(id, 'Order Completed', offset, {}, extra);

  it('cart abandonment enters exactly one day after the Product Added when no order came', () => {
    const events = [added('m1', 0)];
    expect(answer(cartAbandonment, events, T0)).toBe(false);
    expect(answer(cartAbandonment, events, T0 + DAY - 1)).toBe(false);
    expect(answer(cartAbandonment, events, T0 + DAY)).toBe(true);
    expect(answer(cartAbandonment, events, T0 + 7 * DAY - 1)).toBe(true);
    expect(answer(cartAbandonment, events, T0 + 7 * DAY)).toBe(false);
  });

  it('cart abandonment never enters when the order came within the day (its last millisecond included)', () => {
    for (const orderAt of [1, HOUR, DAY]) {
      const events = [added('m1', 0), order('m2', orderAt)];
      for (const now of [T0, T0 + orderAt, T0 + DAY, T0 + 3 * DAY, T0 + 8 * DAY]) expect(answer(cartAbandonment, events, now)).toBe(false);
    }
  });

  it('an order at the same instant as the Product Added, or after the day, is not its child', () => {
    expect(answer(cartAbandonment, [added('m1', 0), order('m2', 0)], T0 + DAY)).toBe(true);
    expect(answer(cartAbandonment, [added('m1', 0), order('m2', DAY + 1)], T0 + DAY + 1)).toBe(true);
  });

  it('Product Added, Order Completed, Product Added enters at the second Product Added + 1 day', () => {
    const events = [added('m1', 0), order('m2', 2 * HOUR), added('m3', 5 * HOUR)];
    expect(answer(cartAbandonment, events, T0 + DAY)).toBe(false);
    expect(answer(cartAbandonment, events, T0 + 5 * HOUR + DAY - 1)).toBe(false);
    expect(answer(cartAbandonment, events, T0 + 5 * HOUR + DAY)).toBe(true);
  });

  it('a late child revokes: an order inside the day that arrives after the day has passed', () => {
    const late = order('m2', 2 * HOUR, { receivedAt: T0 + DAY + 5 * HOUR });
    expect(answer(cartAbandonment, [added('m1', 0)], T0 + DAY + 4 * HOUR)).toBe(true);
    expect(answer(cartAbandonment, [added('m1', 0), late], T0 + DAY + 5 * HOUR)).toBe(false);
  });

  it('a future-dated child counts only from its timestamp', () => {
    const events = [added('m1', 0), order('m2', 20 * HOUR, { receivedAt: T0 })];
    const converted = audience(cmp(agg(stream('Product Added', { where: [cmp(agg(stream('Order Completed', { window: withinParent(days(1)) }), count()), atLeast(1))] }), count()), atLeast(1)));
    expect(answer(converted, events, T0 + 20 * HOUR - 1)).toBe(false);
    expect(answer(converted, events, T0 + 20 * HOUR)).toBe(true);
  });

  const withChild = (condition: (child: Parameters<typeof cmp>[0]) => Condition, childParts: Parameters<typeof stream>[1] = {}): DefinitionAst =>
    audience(cmp(agg(stream('A', { where: [condition(agg(stream('B', { window: withinParent(hours(2)), ...childParts }), count()))] }), count()), atLeast(1)));
  const events = [ev('m1', 'A', 0, { sku: 'x' }), ev('m2', 'B', HOUR, { sku: 'x' }), ev('m3', 'B', HOUR + 1, { sku: 'y' })];

  it('count() >= 1 on the child holds the moment the child arrives', () => {
    const def = withChild((c) => cmp(c, atLeast(1)));
    expect(answer(def, events.slice(0, 1), T0 + HOUR)).toBe(false);
    expect(answer(def, events, T0 + HOUR - 1)).toBe(false);
    expect(answer(def, events, T0 + HOUR)).toBe(true);
  });

  it('count() != 0 holds once a child came; count() != 2 only when the window closes', () => {
    expect(answer(withChild((c) => cmp(c, differs(0))), events, T0 + HOUR)).toBe(true);
    expect(answer(withChild((c) => cmp(c, differs(2))), events, T0 + HOUR)).toBe(false);
    expect(answer(withChild((c) => cmp(c, differs(0))), events, T0 + HOUR + 1)).toBe(true);
    expect(answer(withChild((c) => cmp(c, differs(2))), events, T0 + 2 * HOUR - 1)).toBe(false);
    expect(answer(withChild((c) => cmp(c, differs(3))), events, T0 + 2 * HOUR - 1)).toBe(false);
    expect(answer(withChild((c) => cmp(c, differs(3))), events, T0 + 2 * HOUR)).toBe(true);
  });

  it('NOT (count() >= 1) and count() < 3 settle only when the child window closes', () => {
    const lone = events.slice(0, 1);
    for (const def of [withChild((c) => not(cmp(c, atLeast(1)))), withChild((c) => cmp(c, lt(3)))]) {
      expect(answer(def, lone, T0 + 2 * HOUR - 1)).toBe(false);
      expect(answer(def, lone, T0 + 2 * HOUR)).toBe(true);
    }
    expect(answer(withChild((c) => cmp(c, lt(3))), events, T0 + 2 * HOUR)).toBe(true);
    expect(answer(withChild((c) => not(cmp(c, atLeast(1)))), events, T0 + 2 * HOUR)).toBe(false);
  });

  it('property(parent:) compares a child with its parent occurrence', () => {
    const def = withChild((c) => cmp(c, atLeast(2)), { where: [cmp(prop('sku'), eq(parentProp('sku')))] });
    const def1 = withChild((c) => cmp(c, eq(1)), { where: [cmp(prop('sku'), eq(parentProp('sku')))] });
    expect(answer(def, events, T0 + 3 * HOUR)).toBe(false);
    expect(answer(def1, events, T0 + 2 * HOUR - 1)).toBe(false);
    expect(answer(def1, events, T0 + 2 * HOUR)).toBe(true);
  });

  it('unknown follows Kleene logic inside the parent where', () => {
    const waiting = (c: Parameters<typeof cmp>[0]): Condition => cmp(c, eq(0));
    const lone = [ev('m1', 'A', 0, { n: 1 })];
    const now = T0 + HOUR;
    expect(answer(withChild((c) => or(cmp(prop('n'), eq(1)), waiting(c))), lone, now)).toBe(true);
    expect(answer(withChild((c) => or(cmp(prop('n'), eq(2)), waiting(c))), lone, now)).toBe(false);
    expect(answer(withChild((c) => and(cmp(prop('n'), eq(2)), waiting(c))), lone, now)).toBe(false);
    expect(answer(withChild((c) => not(and(cmp(prop('n'), eq(2)), waiting(c)))), lone, now)).toBe(true);
    expect(answer(withChild((c) => not(waiting(c))), lone, now)).toBe(false);
    expect(answer(withChild((c) => or(cmp(prop('n'), eq(2)), waiting(c))), lone, T0 + 2 * HOUR)).toBe(true);
  });

  it('each parent occurrence is judged on its own children', () => {
    const def = withChild((c) => cmp(c, eq(0)));
    const two = [ev('m1', 'A', 0), ev('m2', 'B', HOUR), ev('m3', 'A', 3 * HOUR)];
    const counted = computedTrait(agg(stream('A', { where: [cmp(agg(stream('B', { window: withinParent(hours(2)) }), count()), eq(0))] }), count()));
    expect(answer(def, two, T0 + 5 * HOUR - 1)).toBe(false);
    expect(answer(def, two, T0 + 5 * HOUR)).toBe(true);
    expect(answer(counted, two, T0 + 5 * HOUR)).toBe(1);
  });
});

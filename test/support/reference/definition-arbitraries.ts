import fc from 'fast-check';
import type { Comparator, Condition, DefinitionAst, Duration, FieldRef, Reducer, Stream, ValueExpr, Window } from '../../../src/definitions/ast.ts';
import * as b from './ast-builders.ts';
import { DATES, NUMBERS, SOURCES, STRINGS, TRAIT_KEYS } from './vocabulary.ts';

/**
 * Definitions as checked ASTs over the small vocabulary of `vocabulary.ts`, built to hit the
 * places where an incremental evaluator can go wrong: windows and their edges, sources, every
 * reducer and comparator, junctions, relative dates, and funnels that settle. They respect the
 * checker's invariants (ast.ts): one window per stream, parent windows only on child streams,
 * funnels one level deep, `property(parent:)` only inside a child's `where`.
 */

// Hours mostly, so window edges fall on the hour grid the histories use; sometimes days.
const durationArb: fc.Arbitrary<Duration> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 72 }).map(b.hours) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map(b.days) },
);

const windowArb: fc.Arbitrary<Window | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: durationArb.map(b.within) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 1, max: 48 }))
      .map(([start, length]) => b.between(b.hours(start), b.hours(start + length))),
  },
);

const excludeArb = fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray([...SOURCES], { minLength: 1, maxLength: 2 }) });

const literalArb: fc.Arbitrary<ValueExpr> = fc
  .oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS), fc.constantFrom(...DATES), fc.boolean(), { weight: 1, arbitrary: fc.constant(null) })
  .map(b.lit);
const traitArb: fc.Arbitrary<ValueExpr> = fc.constantFrom(...TRAIT_KEYS).map(b.trait);
const eventValueArb: fc.Arbitrary<ValueExpr> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('n', 's', 'd').map(b.prop) },
  { weight: 1, arbitrary: fc.constantFrom('page_name', 'o.x').map(b.prop) },
  { weight: 1, arbitrary: fc.constant(b.ctx('k')) },
);

const isoArb = fc.constantFrom(...DATES);

// Weighted toward the names histories use most (A, B), so that streams mostly have occurrences.
const streamNameArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('A') },
  { weight: 2, arbitrary: fc.constant('B') },
  { weight: 1, arbitrary: fc.constantFrom('C', 'Page Viewed') },
);

/** A comparator whose operands come from `operandArb` (literals and traits; properties in a where). */
function comparatorArb(operandArb: fc.Arbitrary<ValueExpr>): fc.Arbitrary<Comparator> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(b.eq, b.differs, b.gt, b.atLeast, b.lt, b.atMost), operandArb).map(([op, o]) => op(o)) },
    { weight: 2, arbitrary: fc.constantFrom(b.absent(), b.exists()) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(b.contains, b.omits, b.startsWith, b.endsWith, b.oneOf), fc.array(operandArb, { minLength: 1, maxLength: 2 }))
        .map(([op, os]) => op(...os)),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(b.beforeDate, b.afterDate), isoArb).map(([op, iso]) => op(iso)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(b.withinLast, b.withinNext, b.beforeLast, b.afterNext), durationArb).map(([op, d]) => op(d)) },
  );
}

const relativeDateArb = fc.tuple(fc.constantFrom(b.withinLast, b.withinNext, b.beforeLast, b.afterNext), durationArb).map(([op, d]) => op(d));

/** A filter on one occurrence: its properties, its context, the profile's traits. */
const whereLeafArb: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(eventValueArb, comparatorArb(fc.oneof({ weight: 3, arbitrary: literalArb }, traitArb, eventValueArb))).map(([s, c]) => b.cmp(s, c)) },
  { weight: 2, arbitrary: relativeDateArb.map((c) => b.cmp(b.prop('d'), c)) },
  { weight: 1, arbitrary: fc.tuple(traitArb, comparatorArb(literalArb)).map(([s, c]) => b.cmp(s, c)) },
);

function junctionsOf(leaf: fc.Arbitrary<Condition>, depth: number): fc.Arbitrary<Condition> {
  if (depth === 0) return leaf;
  const inner = junctionsOf(leaf, depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(inner, { minLength: 2, maxLength: 3 }).map((cs) => b.and(...cs)) },
    { weight: 1, arbitrary: fc.array(inner, { minLength: 2, maxLength: 3 }).map((cs) => b.or(...cs)) },
    { weight: 1, arbitrary: inner.map(b.not) },
  );
}

const fieldArb: fc.Arbitrary<FieldRef> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('n', 's', 'd').map(b.property) },
  { weight: 1, arbitrary: fc.constantFrom(b.property('page_name'), b.property('o'), b.context('k')) },
);

const reducerArb: fc.Arbitrary<Reducer> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(b.count()) },
  fieldArb.map(b.sum),
  fieldArb.map(b.avg),
  fc.tuple(fc.constantFrom(b.min, b.max), fieldArb, fc.constantFrom<'number' | 'string'>('number', 'string')).map(([r, f, as]) => r(f, as)),
  fc.tuple(fieldArb, fc.integer({ min: 1, max: 3 }), fc.constantFrom<'string' | 'number' | 'array'>('string', 'number', 'array')).map(([f, k, as]) => b.mode(f, k, as)),
  fc.tuple(fc.constantFrom(b.first, b.last), fieldArb).map(([r, f]) => r(f)),
  fieldArb.map(b.unique),
  fieldArb.map(b.uniqueCount),
);

/** A funnel child's comparison, as the parent's `where` reads it: the settle rule's cases. */
const childComparisonArb: fc.Arbitrary<Condition> = fc
  .record({
    // B mostly, like Order Completed after Product Added; the parent's own name sometimes.
    event: fc.oneof({ weight: 3, arbitrary: fc.constant('B') }, { weight: 1, arbitrary: fc.constantFrom('A', 'C', 'Page Viewed') }),
    where: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Condition[]>([]) },
      { weight: 1, arbitrary: fc.constantFrom('s', 'n').map((p) => [b.cmp(b.prop(p), b.eq(b.parentProp(p)))]) },
      { weight: 1, arbitrary: fc.constant([b.cmp(b.prop('n'), b.atLeast(b.parentProp('n')))]) },
      { weight: 1, arbitrary: whereLeafArb.map((c) => [c]) },
    ),
    exclude: excludeArb,
    // Mostly shorter than the parent's window (1 day after a 7-day lookback), so parents settle in it.
    duration: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 24 }).map(b.hours) }, { weight: 1, arbitrary: durationArb }),
    reducer: fc.oneof({ weight: 6, arbitrary: fc.constant(b.count()) }, { weight: 1, arbitrary: fc.constantFrom(b.uniqueCount(b.property('s')), b.sum(b.property('n'))) }),
    comparator: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 }).map((k) => b.atLeast(k)) },
      { weight: 3, arbitrary: fc.constant(b.eq(0)) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((k) => b.lt(k)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => b.gt(k)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((k) => b.differs(k)) },
      { weight: 1, arbitrary: fc.constantFrom(b.eq(b.trait('t1')), b.exists(), b.atMost(1)) },
    ),
    negated: fc.boolean(),
  })
  .map(({ event, where, exclude, duration, reducer, comparator, negated }) => {
    const child = b.cmp(b.agg(b.stream(event, { where, exclude, window: b.withinParent(duration) }), reducer), comparator);
    return negated ? b.not(child) : child;
  });

/** A parent's filter with a funnel child, sometimes joined with an ordinary filter. */
const funnelConditionArb: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 6, arbitrary: childComparisonArb },
  { weight: 2, arbitrary: fc.tuple(childComparisonArb, whereLeafArb, fc.boolean()).map(([c, l, both]) => (both ? b.and(c, l) : b.or(c, l))) },
  { weight: 1, arbitrary: fc.tuple(childComparisonArb, childComparisonArb, fc.boolean()).map(([c1, c2, both]) => (both ? b.and(c1, c2) : b.or(c1, c2))) },
);

export interface DefinitionOptions {
  /** Funnel children in parent `where`s (default true). */
  readonly funnels?: boolean;
}

function streamArb(options: DefinitionOptions): fc.Arbitrary<Stream> {
  const filter =
    options.funnels === false
      ? junctionsOf(whereLeafArb, 1)
      : fc.oneof({ weight: 3, arbitrary: junctionsOf(whereLeafArb, 1) }, { weight: 2, arbitrary: funnelConditionArb });
  return fc
    .record({
      event: streamNameArb,
      where: fc.oneof(
        { weight: 6, arbitrary: fc.constant<Condition[]>([]) },
        { weight: 3, arbitrary: filter.map((c) => [c]) },
        { weight: 1, arbitrary: fc.array(filter, { minLength: 2, maxLength: 2 }) },
      ),
      exclude: excludeArb,
      window: windowArb,
    })
    .map(({ event, where, exclude, window }) => b.stream(event, { where, exclude, window }));
}

/** Count at least / more than / exactly / … a small number: the usual shape of an audience leaf. */
const countComparatorArb: fc.Arbitrary<Comparator> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(b.atLeast(1)) },
  { weight: 1, arbitrary: fc.constant(b.atLeast(2)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(b.gt, b.eq, b.lt, b.atMost, b.differs), fc.integer({ min: 0, max: 2 })).map(([op, k]) => op(k)) },
);

/**
 * The funnel family, in the shape of the cart-abandonment audience: a parent stream whose `where`
 * holds a child comparison (sometimes joined with a filter), counted at the top level.
 */
export function funnelAudienceArb(): fc.Arbitrary<DefinitionAst> {
  return fc
    .record({
      event: fc.constantFrom('A', 'A', 'B'),
      condition: funnelConditionArb,
      exclude: excludeArb,
      window: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 12, max: 96 }).map((h) => b.within(b.hours(h))) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, b.within(b.days(7))) },
        { weight: 1, arbitrary: windowArb },
      ),
      comparator: countComparatorArb,
    })
    .map(({ event, condition, exclude, window, comparator }) => b.audience(b.cmp(b.agg(b.stream(event, { where: [condition], exclude, window }), b.count()), comparator)));
}

/** A comparison at an audience's top level: on a stream's reduced value, or on a trait. */
function audienceLeafArb(options: DefinitionOptions): fc.Arbitrary<Condition> {
  const operandArb = fc.oneof({ weight: 4, arbitrary: literalArb }, traitArb);
  const counted = fc.tuple(streamArb(options), countComparatorArb).map(([s, c]) => b.cmp(b.agg(s, b.count()), c));
  const reduced = fc.tuple(streamArb(options), reducerArb, comparatorArb(operandArb)).map(([s, r, c]) => b.cmp(b.agg(s, r), c));
  const onTrait = fc.tuple(traitArb, comparatorArb(literalArb)).map(([t, c]) => b.cmp(t, c));
  return fc.oneof({ weight: 4, arbitrary: counted }, { weight: 3, arbitrary: reduced }, { weight: 1, arbitrary: onTrait });
}

export function audienceArb(options: DefinitionOptions = {}): fc.Arbitrary<DefinitionAst> {
  const leaf = audienceLeafArb(options);
  return fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: junctionsOf(leaf, 1) }).map(b.audience);
}

export function computedTraitArb(options: DefinitionOptions = {}): fc.Arbitrary<DefinitionAst> {
  return fc
    .oneof(
      { weight: 8, arbitrary: fc.tuple(streamArb(options), reducerArb).map(([s, r]) => b.agg(s, r)) },
      { weight: 1, arbitrary: fc.oneof(traitArb, literalArb) },
    )
    .map(b.computedTrait);
}

/** Audiences, computed traits and (unless told otherwise) funnel audiences, about a third each. */
export function definitionArb(options: DefinitionOptions = {}): fc.Arbitrary<DefinitionAst> {
  if (options.funnels === false) return fc.oneof(audienceArb(options), computedTraitArb(options));
  return fc.oneof(audienceArb(options), computedTraitArb(options), funnelAudienceArb());
}

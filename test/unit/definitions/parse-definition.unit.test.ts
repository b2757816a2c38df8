import { describe, expect, it } from 'vitest';
import type { Comparator, Condition, DefinitionAst, Reducer, Stream, ValueExpr } from '../../../src/definitions/ast.ts';
import { parseOk, posOf, withoutPositions } from './definition-fixtures.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

function root(ast: DefinitionAst): Condition {
  if (ast.kind !== 'audience') throw new Error('expected an audience');
  return ast.root;
}

function comparison(text: string): Extract<Condition, { kind: 'comparison' }> {
  const r = root(parseOk(text));
  if (r.kind !== 'comparison') throw new Error(`expected a comparison root, got ${r.kind}`);
  return r;
}

function comparatorOf(text: string): Comparator {
  return comparison(text).comparator;
}

function traitValue(text: string): Extract<ValueExpr, { kind: 'aggregate' }> {
  const ast = parseOk(text, 'computed_trait');
  if (ast.kind !== 'computed_trait' || ast.root.kind !== 'aggregate') throw new Error('expected an aggregate root');
  return ast.root;
}

function reducerOf(text: string): Reducer {
  return traitValue(text).reducer;
}

function streamOf(text: string): Stream {
  return traitValue(text).stream;
}

/** Both spellings give the same AST once positions are set aside. */
function expectSame(a: string, b: string, kind: 'audience' | 'computed_trait' = 'audience'): void {
  expect(withoutPositions(parseOk(a, kind))).toStrictEqual(withoutPositions(parseOk(b, kind)));
}

describe('sugar', () => {
  it.each([
    ["trait('a') = 5", "trait('a').equals(5)"],
    ["trait('a') == 5", "trait('a').equals(5)"],
    ["trait('a') != 5", "trait('a').differs(5)"],
    ["trait('a') > 5", "trait('a').greater_than(5)"],
    ["trait('a') >= 5", "trait('a').at_least(5)"],
    ["trait('a') < 5", "trait('a').less_than(5)"],
    ["trait('a') <= 5", "trait('a').at_most(5)"],
    ["trait('a') = 'pro'", "trait('a').equals(literal('pro'))"],
    ['trait(\'a\') = "pro"', "trait('a') = 'pro'"],
    ["trait('a') = 5", "trait('a') = literal(5)"],
    ["trait('a') = true", "trait('a') = literal(true)"],
    ["trait('a') = false", "trait('a').equals(literal(false))"],
    ["trait('a').contains('x', 'y')", "trait('a').contains(literal('x'), literal('y'))"],
    ["event('A').count() >= 1", "event('A').count().at_least(1)"],
  ])('%s is %s', (sugared, plain) => {
    expectSame(sugared, plain);
  });

  it('a literal operand carries its own position', () => {
    const text = "trait('plan') = 'pro'";
    expect(comparatorOf(text)).toStrictEqual({ op: 'equals', operand: { kind: 'literal', value: 'pro', at: posOf(text, "'pro'") } });
  });

  it('literal(x) is a literal positioned at the literal call', () => {
    const text = "trait('n') > literal(-2.5)";
    expect(comparatorOf(text)).toStrictEqual({ op: 'greater_than', operand: { kind: 'literal', value: -2.5, at: posOf(text, 'literal') } });
  });
});

describe('junctions', () => {
  const a = "trait('a') = 1";
  const b = "trait('b') = 2";
  const c = "trait('c') = 3";

  it('AND binds tighter than OR', () => {
    const r = root(parseOk(`${a} OR ${b} AND ${c}`));
    expect(withoutPositions(r)).toMatchObject({ kind: 'or', operands: [{ kind: 'comparison' }, { kind: 'and', operands: [{}, {}] }] });
    const l = root(parseOk(`${a} AND ${b} OR ${c}`));
    expect(withoutPositions(l)).toMatchObject({ kind: 'or', operands: [{ kind: 'and' }, { kind: 'comparison' }] });
  });

  it('a run of one junction is one n-ary node; parentheses keep their grouping', () => {
    const flat = root(parseOk(`${a} AND ${b} AND ${c}`));
    expect(flat.kind === 'and' && flat.operands.length).toBe(3);
    const grouped = root(parseOk(`(${a} AND ${b}) AND ${c}`));
    expect(withoutPositions(grouped)).toMatchObject({ kind: 'and', operands: [{ kind: 'and' }, { kind: 'comparison' }] });
    expect(grouped.at).toStrictEqual({ line: 1, column: 1 });
  });

  it('parentheses override precedence', () => {
    const r = root(parseOk(`(${a} OR ${b}) AND ${c}`));
    expect(withoutPositions(r)).toMatchObject({ kind: 'and', operands: [{ kind: 'or' }, { kind: 'comparison' }] });
  });

  it('NOT takes a primary: NOT x AND y is (NOT x) AND y; NOT (x) works too', () => {
    const r = root(parseOk(`NOT ${a} AND ${b}`));
    expect(withoutPositions(r)).toMatchObject({ kind: 'and', operands: [{ kind: 'not', operand: { kind: 'comparison' } }, { kind: 'comparison' }] });
    expectSame(`NOT ${a}`, `NOT (${a})`);
    expectSame(`NOT NOT ${a}`, `NOT (NOT (${a}))`);
  });

  it('keywords are case-insensitive', () => {
    expectSame(`not ${a} and ${b} or ${c}`, `NOT ${a} AND ${b} OR ${c}`);
    expectSame(`Not (${a}) And ${b} oR ${c}`, `NOT (${a}) AND ${b} OR ${c}`);
    expect(withoutPositions(parseOk(`all not ${a}`, 'audience', 'ACCOUNTS'))).toStrictEqual(
      withoutPositions(parseOk(`ALL NOT ${a}`, 'audience', 'ACCOUNTS')),
    );
    expectSame("trait('a') = TRUE", "trait('a') = true");
  });

  it('ACCOUNTS: ANY/ALL combine with other conditions at the top level, and under NOT', () => {
    const r = root(parseOk(`ANY (${a}) AND ${b}`, 'audience', 'ACCOUNTS'));
    expect(withoutPositions(r)).toMatchObject({ kind: 'and', operands: [{ kind: 'quantified', quantifier: 'any' }, { kind: 'comparison' }] });
    const n = root(parseOk(`NOT ALL (${a})`, 'audience', 'ACCOUNTS'));
    expect(withoutPositions(n)).toMatchObject({ kind: 'not', operand: { kind: 'quantified', quantifier: 'all', negated: false } });
    // `ALL (NOT x)` is written differently from `ALL NOT x` and keeps that shape.
    const inner = root(parseOk(`ALL (NOT ${a})`, 'audience', 'ACCOUNTS'));
    expect(withoutPositions(inner)).toMatchObject({ kind: 'quantified', negated: false, operand: { kind: 'not' } });
  });

  it('ANY NOT x is ANY over NOT x; only ALL NOT sets negated', () => {
    const r = root(parseOk(`ANY NOT ${a}`, 'audience', 'ACCOUNTS'));
    expect(withoutPositions(r)).toMatchObject({ kind: 'quantified', quantifier: 'any', negated: false, operand: { kind: 'not' } });
  });

  it('a computed trait keeps an ACCOUNTS target', () => {
    expect(parseOk("event('A').count()", 'computed_trait', 'ACCOUNTS').target).toBe('ACCOUNTS');
  });

  it('the target defaults to USERS', () => {
    expect(parseOk(a).target).toBe('USERS');
    expect(parseOk(a, 'audience', 'ACCOUNTS').target).toBe('ACCOUNTS');
  });
});

describe('streams and filters', () => {
  it("where({cond}) with braces, as in Segment's docs, is where(cond)", () => {
    expectSame("event('A').where({property('price_usd') > 100}).count() >= 1", "event('A').where(property('price_usd') > 100).count() >= 1");
  });

  it('several where filters are kept in order', () => {
    const stream = streamOf("event('A').where(property('a') = 1).within(2 days).where(context('page.url') = 'x').count()");
    expect(withoutPositions(stream.where)).toStrictEqual([
      { kind: 'comparison', subject: { kind: 'property', path: 'a', scope: 'event' }, comparator: { op: 'equals', operand: { kind: 'literal', value: 1 } } },
      { kind: 'comparison', subject: { kind: 'context', path: 'page.url' }, comparator: { op: 'equals', operand: { kind: 'literal', value: 'x' } } },
    ]);
  });

  it('sources({exclude: …}) in every accepted spelling, calls joined without duplicates', () => {
    expect(streamOf("event('A').sources({exclude: 'QgRHeujRJBM9j18yChyC', '/;hSBZDqGDPvXCKHbikPm'}).count()").excludeSources).toStrictEqual([
      'QgRHeujRJBM9j18yChyC',
      '/;hSBZDqGDPvXCKHbikPm',
    ]);
    expect(streamOf("event('A').sources({exclude: ['a', 'b']}).count()").excludeSources).toStrictEqual(['a', 'b']);
    expect(streamOf("event('A').sources(exclude: 'a', 'b').count()").excludeSources).toStrictEqual(['a', 'b']);
    expect(streamOf("event('A').sources({exclude: 'a'}).sources({exclude: 'b', 'a'}).count()").excludeSources).toStrictEqual(['a', 'b']);
  });

  it('within(N unit): hour, hours, day, days, exact milliseconds; 90 days = 2,160 hours', () => {
    expect(streamOf("event('A').within(1 hour).count()").window).toStrictEqual({ kind: 'within', duration: { amount: 1, unit: 'hours', ms: HOUR } });
    expect(streamOf("event('A').within(3 hours).count()").window).toStrictEqual({ kind: 'within', duration: { amount: 3, unit: 'hours', ms: 3 * HOUR } });
    expect(streamOf("event('A').within(1 day).count()").window).toStrictEqual({ kind: 'within', duration: { amount: 1, unit: 'days', ms: DAY } });
    const days = streamOf("event('A').within(90 days).count()").window;
    const hours = streamOf("event('A').within(2160 hours).count()").window;
    expect(days?.kind === 'within' && hours?.kind === 'within' && days.duration.ms === hours.duration.ms).toBe(true);
    expect(streamOf("event('A').within(7days).count()").window).toStrictEqual({ kind: 'within', duration: { amount: 7, unit: 'days', ms: 7 * DAY } });
  });

  it('between(S unit, E unit), start may be 0 and units may differ', () => {
    expect(streamOf("event('A').between(7 days, 10 days).count()").window).toStrictEqual({
      kind: 'between',
      start: { amount: 7, unit: 'days', ms: 7 * DAY },
      end: { amount: 10, unit: 'days', ms: 10 * DAY },
    });
    expect(streamOf("event('A').between(0 hours, 2 days).count()").window).toStrictEqual({
      kind: 'between',
      start: { amount: 0, unit: 'hours', ms: 0 },
      end: { amount: 2, unit: 'days', ms: 2 * DAY },
    });
  });

  it('a funnel step may compare its own properties with its parent event (property(parent: …))', () => {
    const text =
      "event('Product Viewed').where( event('Product Added').where(property('sku') = property(parent: 'sku')).within(parent: 2 hours).count() >= 1 ).within(7 days).count() >= 1";
    const parent = comparison(text).subject;
    if (parent.kind !== 'aggregate') throw new Error('expected an aggregate');
    const step = parent.stream.where[0];
    if (step?.kind !== 'comparison' || step.subject.kind !== 'aggregate') throw new Error('expected a funnel step comparison');
    expect(step.subject.stream.window).toStrictEqual({ kind: 'parent', duration: { amount: 2, unit: 'hours', ms: 2 * HOUR } });
    expect(step.subject.stream.where).toStrictEqual([
      {
        kind: 'comparison',
        subject: { kind: 'property', path: 'sku', scope: 'event', at: posOf(text, "property('sku')") },
        comparator: { op: 'equals', operand: { kind: 'property', path: 'sku', scope: 'parent', at: posOf(text, 'property(parent') } },
        at: posOf(text, "property('sku')"),
      },
    ]);
  });

  it('a funnel step may sit under NOT and OR inside the where', () => {
    const ast = parseOk(
      "event('A').where( NOT (event('B').within(parent: 1 days).count() >= 1) OR property('vip') = true ).within(7 days).count() >= 1",
    );
    expect(withoutPositions(ast)).toMatchObject({
      root: { subject: { stream: { where: [{ kind: 'or', operands: [{ kind: 'not', operand: { kind: 'comparison' } }, { kind: 'comparison' }] }] } } },
    });
  });

  it('trait() may appear inside where, and property()/context() on either side there', () => {
    const stream = streamOf("event('A').where(trait('vip') = true AND property('p') > trait('avg') AND context('a.b') != property('c')).count()");
    expect(withoutPositions(stream.where[0])).toMatchObject({
      kind: 'and',
      operands: [
        { subject: { kind: 'trait', key: 'vip' } },
        { subject: { kind: 'property' }, comparator: { op: 'greater_than', operand: { kind: 'trait', key: 'avg' } } },
        { subject: { kind: 'context', path: 'a.b' }, comparator: { op: 'differs', operand: { kind: 'property', path: 'c', scope: 'event' } } },
      ],
    });
  });
});

describe('reducers', () => {
  const field = { source: 'property', path: 'p' } as const;
  it.each<[string, Reducer]>([
    ['count()', { kind: 'count' }],
    ["sum(property('p'))", { kind: 'sum', field }],
    ["avg(property('p'))", { kind: 'avg', field }],
    ["min(property('p'))", { kind: 'min', field, as: 'number' }],
    ["max(property('p'))", { kind: 'max', field, as: 'number' }],
    ["min(property('p') as string)", { kind: 'min', field, as: 'string' }],
    ["max(property('p') as string)", { kind: 'max', field, as: 'string' }],
    ["max(property('p') as number)", { kind: 'max', field, as: 'number' }],
    ["mode(property('p'), 3)", { kind: 'mode', field, as: 'string', minFrequency: 3 }],
    ["mode(property('p') as number, 1)", { kind: 'mode', field, as: 'number', minFrequency: 1 }],
    ["mode(property('p') as array, 2)", { kind: 'mode', field, as: 'array', minFrequency: 2 }],
    ["first(property('p'))", { kind: 'first', field }],
    ["last(property('p'))", { kind: 'last', field }],
    ["unique(property('p'))", { kind: 'unique', field }],
    ["unique(property('p')).count()", { kind: 'unique_count', field }],
    ["sum('p')", { kind: 'sum', field }],
    ["last(context('page.url'))", { kind: 'last', field: { source: 'context', path: 'page.url' } }],
    ["first(property('product.sku'))", { kind: 'first', field: { source: 'property', path: 'product.sku' } }],
  ])('%s', (call, reducer) => {
    expect(reducerOf(`event('A').${call}`)).toStrictEqual(reducer);
  });

  it('a computed trait may also be a trait or a literal value', () => {
    expect(parseOk("trait('plan')", 'computed_trait').root).toStrictEqual({ kind: 'trait', key: 'plan', at: { line: 1, column: 1 } });
    expect(withoutPositions(parseOk('(42)', 'computed_trait').root)).toStrictEqual({ kind: 'literal', value: 42 });
  });

  it('an aggregate is positioned at its event() call', () => {
    const value = traitValue("  event('A').count()");
    expect(value.at).toStrictEqual({ line: 1, column: 3 });
    expect(value.stream.at).toStrictEqual({ line: 1, column: 3 });
  });
});

describe('comparators', () => {
  const subject = "trait('t')";
  it.each<[string, Comparator]>([
    ['equals(1)', { op: 'equals', operand: { kind: 'literal', value: 1, at: { line: 1, column: 19 } } }],
    ["differs('x')", { op: 'differs', operand: { kind: 'literal', value: 'x', at: { line: 1, column: 20 } } }],
    ['absent()', { op: 'absent' }],
    ['exists()', { op: 'exists' }],
    ['greater_than(1)', { op: 'greater_than', operand: { kind: 'literal', value: 1, at: { line: 1, column: 25 } } }],
    ['at_least(1)', { op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 1, column: 21 } } }],
    ['less_than(1)', { op: 'less_than', operand: { kind: 'literal', value: 1, at: { line: 1, column: 22 } } }],
    ["at_most(trait('u'))", { op: 'at_most', operand: { kind: 'trait', key: 'u', at: { line: 1, column: 20 } } }],
    [
      "contains('shoes', 'shirts')",
      {
        op: 'contains',
        operands: [
          { kind: 'literal', value: 'shoes', at: { line: 1, column: 21 } },
          { kind: 'literal', value: 'shirts', at: { line: 1, column: 30 } },
        ],
      },
    ],
    ["omits('shoes')", { op: 'omits', operands: [{ kind: 'literal', value: 'shoes', at: { line: 1, column: 18 } }] }],
    ["starts_with('to')", { op: 'starts_with', operands: [{ kind: 'literal', value: 'to', at: { line: 1, column: 24 } }] }],
    ["ends_with('al')", { op: 'ends_with', operands: [{ kind: 'literal', value: 'al', at: { line: 1, column: 22 } }] }],
    [
      "one_of(['a', 2])",
      {
        op: 'one_of',
        operands: [
          { kind: 'literal', value: 'a', at: { line: 1, column: 20 } },
          { kind: 'literal', value: 2, at: { line: 1, column: 25 } },
        ],
      },
    ],
    ["before_date('2023-12-07T18:50:00Z')", { op: 'before_date', at: Date.UTC(2023, 11, 7, 18, 50), iso: '2023-12-07T18:50:00Z' }],
    ["after_date('2023-12-07')", { op: 'after_date', at: Date.UTC(2023, 11, 7), iso: '2023-12-07' }],
    ["after_date('2023-12-07T20:50:00.5+02:00')", { op: 'after_date', at: Date.UTC(2023, 11, 7, 18, 50, 0, 500), iso: '2023-12-07T20:50:00.5+02:00' }],
    ['within_last(7 days)', { op: 'within_last', duration: { amount: 7, unit: 'days', ms: 7 * DAY } }],
    ['within_next(12 hours)', { op: 'within_next', duration: { amount: 12, unit: 'hours', ms: 12 * HOUR } }],
    ['before_last(1 day)', { op: 'before_last', duration: { amount: 1, unit: 'days', ms: DAY } }],
    ['after_next(2 days)', { op: 'after_next', duration: { amount: 2, unit: 'days', ms: 2 * DAY } }],
  ])('%s', (call, comparator) => {
    expect(comparatorOf(`${subject}.${call}`)).toStrictEqual(comparator);
  });

  it('compares aggregates with every comparator, not only counts', () => {
    expect(comparatorOf("event('A').last(property('ts')).within_last(3 days)").op).toBe('within_last');
    expect(comparatorOf("event('A').unique(property('sku')).count() > 2").op).toBe('greater_than');
    expect(comparatorOf("event('A').max(property('plan') as string).one_of('gold', 'silver')").op).toBe('one_of');
  });
});

describe('text', () => {
  it('strings take single or double quotes and backslash escapes', () => {
    expect(comparatorOf("trait('name') = 'O\\'Brien'")).toMatchObject({ operand: { value: "O'Brien" } });
    expect(comparatorOf('trait("name") = "say \\"hi\\""')).toMatchObject({ operand: { value: 'say "hi"' } });
    expect(comparatorOf("trait('name') = 'caf\\u00e9 \\\\ \\n\\t'")).toMatchObject({ operand: { value: 'café \\ \n\t' } });
    expect(comparatorOf("trait('emoji') = '😀 ✓'")).toMatchObject({ operand: { value: '😀 ✓' } });
  });

  it('numbers: negative, decimal, exponent', () => {
    expect(comparatorOf("trait('n') > -5")).toMatchObject({ operand: { value: -5 } });
    expect(comparatorOf("trait('n') > 12.75")).toMatchObject({ operand: { value: 12.75 } });
    expect(comparatorOf("trait('n') < 1e3")).toMatchObject({ operand: { value: 1000 } });
  });

  it('positions are 1-based lines and columns; a tab is one column, an emoji is one column, CRLF is one line break', () => {
    const text = "trait('😀') = 1 AND\r\n\ttrait('b') = 2";
    const r = root(parseOk(text));
    if (r.kind !== 'and') throw new Error('expected AND');
    expect(r.operands[0]?.at).toStrictEqual({ line: 1, column: 1 });
    expect(r.operands[1]?.at).toStrictEqual({ line: 2, column: 2 });
    const first = r.operands[0];
    if (first?.kind !== 'comparison' || !('operand' in first.comparator)) throw new Error('expected a comparison');
    expect(first.comparator.operand.at).toStrictEqual({ line: 1, column: 14 });
  });

  it('whitespace and line breaks are free between tokens', () => {
    expectSame(
      "event ( 'A' )\n  . where ( property ( 'p' ) >= 1 )\n  . within ( 7   days )\n  . count ( ) >= 1",
      "event('A').where(property('p')>=1).within(7 days).count()>=1",
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { Condition, DefinitionAst, ValueExpr } from '../../../src/definitions/ast.ts';
import { parseOk, posOf } from './definition-fixtures.ts';

// Every example of shared/spec/query-language.md, verbatim. The first group is asserted as whole
// ASTs (positions included), the rest by the fields that carry their meaning.

const DAY = 86_400_000;

function comparisonOf(ast: DefinitionAst): Extract<Condition, { kind: 'comparison' }> {
  if (ast.kind !== 'audience' || ast.root.kind !== 'comparison') throw new Error('expected an audience comparison root');
  return ast.root;
}

function aggregateOf(value: ValueExpr): Extract<ValueExpr, { kind: 'aggregate' }> {
  if (value.kind !== 'aggregate') throw new Error(`expected an aggregate, got ${value.kind}`);
  return value;
}

describe('query-language.md examples: whole ASTs', () => {
  it("event('Shoes Bought').where( property('price') >= 100 ).within(7 days).count() >= 1", () => {
    const text = "event('Shoes Bought').where( property('price') >= 100 ).within(7 days).count() >= 1";
    const p = (needle: string, nth = 0) => posOf(text, needle, nth);
    const expected: DefinitionAst = {
      kind: 'audience',
      target: 'USERS',
      root: {
        kind: 'comparison',
        subject: {
          kind: 'aggregate',
          stream: {
            event: 'Shoes Bought',
            where: [
              {
                kind: 'comparison',
                subject: { kind: 'property', path: 'price', scope: 'event', at: p('property(') },
                comparator: { op: 'at_least', operand: { kind: 'literal', value: 100, at: p('100') } },
                at: p('property('),
              },
            ],
            excludeSources: [],
            window: { kind: 'within', duration: { amount: 7, unit: 'days', ms: 7 * DAY } },
            at: { line: 1, column: 1 },
          },
          reducer: { kind: 'count' },
          at: { line: 1, column: 1 },
        },
        comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 1, column: text.length } } },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk(text)).toStrictEqual(expected);
  });

  it('the bought-and-returned funnel (a child stream with within(parent: 5 days))', () => {
    const text =
      "event('Shoes Bought').where( property('price') >= trait('avg_spend') AND event('Shoes Returned').within(parent: 5 days).count() >= 1 ).within(30 days).count() >= 1";
    const p = (needle: string, nth = 0) => posOf(text, needle, nth);
    const expected: DefinitionAst = {
      kind: 'audience',
      target: 'USERS',
      root: {
        kind: 'comparison',
        subject: {
          kind: 'aggregate',
          stream: {
            event: 'Shoes Bought',
            where: [
              {
                kind: 'and',
                operands: [
                  {
                    kind: 'comparison',
                    subject: { kind: 'property', path: 'price', scope: 'event', at: p('property(') },
                    comparator: { op: 'at_least', operand: { kind: 'trait', key: 'avg_spend', at: p('trait(') } },
                    at: p('property('),
                  },
                  {
                    kind: 'comparison',
                    subject: {
                      kind: 'aggregate',
                      stream: {
                        event: 'Shoes Returned',
                        where: [],
                        excludeSources: [],
                        window: { kind: 'parent', duration: { amount: 5, unit: 'days', ms: 5 * DAY } },
                        at: p("event('Shoes Returned')"),
                      },
                      reducer: { kind: 'count' },
                      at: p("event('Shoes Returned')"),
                    },
                    comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: p('1 )') } },
                    at: p("event('Shoes Returned')"),
                  },
                ],
                at: p('property('),
              },
            ],
            excludeSources: [],
            window: { kind: 'within', duration: { amount: 30, unit: 'days', ms: 30 * DAY } },
            at: { line: 1, column: 1 },
          },
          reducer: { kind: 'count' },
          at: { line: 1, column: 1 },
        },
        comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 1, column: text.length } } },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk(text)).toStrictEqual(expected);
  });

  it("NOT ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 )", () => {
    const text = "NOT ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 )";
    const p = (needle: string) => posOf(text, needle);
    const expected: DefinitionAst = {
      kind: 'audience',
      target: 'USERS',
      root: {
        kind: 'not',
        operand: {
          kind: 'and',
          operands: [
            {
              kind: 'comparison',
              subject: {
                kind: 'aggregate',
                stream: { event: 'Shoes Bought', where: [], excludeSources: [], window: undefined, at: p('event(') },
                reducer: { kind: 'count' },
                at: p('event('),
              },
              comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: p('1 AND') } },
              at: p('event('),
            },
            {
              kind: 'comparison',
              subject: { kind: 'trait', key: 'total_spend', at: p('trait(') },
              comparator: { op: 'greater_than', operand: { kind: 'literal', value: 200, at: p('200') } },
              at: p('trait('),
            },
          ],
          at: p('event('),
        },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk(text)).toStrictEqual(expected);
  });

  it("ALL NOT event('Shoes Bought').count() >= 1 (ACCOUNTS)", () => {
    const text = "ALL NOT event('Shoes Bought').count() >= 1";
    const expected: DefinitionAst = {
      kind: 'audience',
      target: 'ACCOUNTS',
      root: {
        kind: 'quantified',
        quantifier: 'all',
        negated: true,
        operand: {
          kind: 'comparison',
          subject: {
            kind: 'aggregate',
            stream: { event: 'Shoes Bought', where: [], excludeSources: [], window: undefined, at: { line: 1, column: 9 } },
            reducer: { kind: 'count' },
            at: { line: 1, column: 9 },
          },
          comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 1, column: 42 } } },
          at: { line: 1, column: 9 },
        },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk(text, 'audience', 'ACCOUNTS')).toStrictEqual(expected);
  });

  it("event('Shoes Bought').within(30 days).avg(property('spend')) (computed trait)", () => {
    const expected: DefinitionAst = {
      kind: 'computed_trait',
      target: 'USERS',
      root: {
        kind: 'aggregate',
        stream: {
          event: 'Shoes Bought',
          where: [],
          excludeSources: [],
          window: { kind: 'within', duration: { amount: 30, unit: 'days', ms: 30 * DAY } },
          at: { line: 1, column: 1 },
        },
        reducer: { kind: 'avg', field: { source: 'property', path: 'spend' } },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk("event('Shoes Bought').within(30 days).avg(property('spend'))", 'computed_trait')).toStrictEqual(expected);
  });

  it('the cart-abandonment funnel of the Engage FAQ', () => {
    const text =
      "event('Product Added').where( event('Order Completed').within(parent: 1 days).count() = 0 ).within(7 days).count() >= 1";
    const p = (needle: string) => posOf(text, needle);
    const expected: DefinitionAst = {
      kind: 'audience',
      target: 'USERS',
      root: {
        kind: 'comparison',
        subject: {
          kind: 'aggregate',
          stream: {
            event: 'Product Added',
            where: [
              {
                kind: 'comparison',
                subject: {
                  kind: 'aggregate',
                  stream: {
                    event: 'Order Completed',
                    where: [],
                    excludeSources: [],
                    window: { kind: 'parent', duration: { amount: 1, unit: 'days', ms: DAY } },
                    at: p("event('Order Completed')"),
                  },
                  reducer: { kind: 'count' },
                  at: p("event('Order Completed')"),
                },
                comparator: { op: 'equals', operand: { kind: 'literal', value: 0, at: p('0 )') } },
                at: p("event('Order Completed')"),
              },
            ],
            excludeSources: [],
            window: { kind: 'within', duration: { amount: 7, unit: 'days', ms: 7 * DAY } },
            at: { line: 1, column: 1 },
          },
          reducer: { kind: 'count' },
          at: { line: 1, column: 1 },
        },
        comparator: { op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 1, column: text.length } } },
        at: { line: 1, column: 1 },
      },
    };
    expect(parseOk(text)).toStrictEqual(expected);
  });
});

describe('query-language.md examples: key fields', () => {
  it("ALL ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 ) (ACCOUNTS)", () => {
    const ast = parseOk("ALL ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 )", 'audience', 'ACCOUNTS');
    expect(ast.target).toBe('ACCOUNTS');
    if (ast.kind !== 'audience' || ast.root.kind !== 'quantified') throw new Error('expected a quantified root');
    expect(ast.root.quantifier).toBe('all');
    expect(ast.root.negated).toBe(false);
    expect(ast.root.operand.kind).toBe('and');
  });

  it("ANY event('Shoes Bought').count() >= 1 (ACCOUNTS)", () => {
    const ast = parseOk("ANY event('Shoes Bought').count() >= 1", 'audience', 'ACCOUNTS');
    if (ast.kind !== 'audience' || ast.root.kind !== 'quantified') throw new Error('expected a quantified root');
    expect(ast.root.quantifier).toBe('any');
    expect(ast.root.negated).toBe(false);
    expect(ast.root.operand).toMatchObject({ kind: 'comparison', comparator: { op: 'at_least' } });
  });

  it("event('Shoes Bought').where( property('price') > 100 AND property('brand') = 'My Brand' ).min(property('spend'))", () => {
    const ast = parseOk(
      "event('Shoes Bought').where( property('price') > 100 AND property('brand') = 'My Brand' ).min(property('spend'))",
      'computed_trait',
    );
    const root = aggregateOf(ast.root as ValueExpr);
    expect(root.reducer).toStrictEqual({ kind: 'min', field: { source: 'property', path: 'spend' }, as: 'number' });
    expect(root.stream.window).toBeUndefined();
    expect(root.stream.where).toHaveLength(1);
    expect(root.stream.where[0]).toMatchObject({
      kind: 'and',
      operands: [
        { subject: { kind: 'property', path: 'price' }, comparator: { op: 'greater_than', operand: { value: 100 } } },
        { subject: { kind: 'property', path: 'brand' }, comparator: { op: 'equals', operand: { value: 'My Brand' } } },
      ],
    });
  });

  it("event('Shoes Bought').within(30 days).first(property('spend'))", () => {
    const root = aggregateOf(parseOk("event('Shoes Bought').within(30 days).first(property('spend'))", 'computed_trait').root as ValueExpr);
    expect(root.reducer).toStrictEqual({ kind: 'first', field: { source: 'property', path: 'spend' } });
    expect(root.stream.window).toStrictEqual({ kind: 'within', duration: { amount: 30, unit: 'days', ms: 30 * DAY } });
  });

  it("event('Shoes Bought').within(30 days).mode(property('spend'), 2)", () => {
    const root = aggregateOf(parseOk("event('Shoes Bought').within(30 days).mode(property('spend'), 2)", 'computed_trait').root as ValueExpr);
    // Segment: "If no type is passed, Segment assumes string".
    expect(root.reducer).toStrictEqual({ kind: 'mode', field: { source: 'property', path: 'spend' }, as: 'string', minFrequency: 2 });
  });

  it('the bought-and-returned funnel as Segment docs lay it out, over several lines', () => {
    const text = [
      "event('Shoes Bought').where( ",
      "property('price') >= trait('avg_spend')",
      'AND ',
      "event('Shoes Returned').within(parent: 5 days).count() >= 1 ",
      ').within(30 days).count() >= 1',
    ].join('\n');
    const root = comparisonOf(parseOk(text));
    const parent = aggregateOf(root.subject);
    const where = parent.stream.where[0];
    if (where?.kind !== 'and') throw new Error('expected AND in the where');
    expect(where.at).toStrictEqual({ line: 2, column: 1 });
    const child = where.operands[1];
    if (child?.kind !== 'comparison') throw new Error('expected a comparison');
    expect(child.at).toStrictEqual({ line: 4, column: 1 });
    expect(aggregateOf(child.subject).stream.window).toStrictEqual({ kind: 'parent', duration: { amount: 5, unit: 'days', ms: 5 * DAY } });
    expect(root.comparator).toStrictEqual({ op: 'at_least', operand: { kind: 'literal', value: 1, at: { line: 5, column: 30 } } });
  });
});

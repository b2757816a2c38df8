import { describe, expect, it } from 'vitest';
import { definitionDependencies } from '../../../src/definitions/definition-dependencies.ts';
import { parseOk } from './definition-fixtures.ts';

describe('definitionDependencies', () => {
  it('an event condition: one event, no traits', () => {
    expect(definitionDependencies(parseOk("event('Shoes Bought').where( property('price') >= 100 ).within(7 days).count() >= 1"))).toStrictEqual({
      eventNames: ['Shoes Bought'],
      traitKeys: [],
    });
  });

  it('a funnel: parent and child streams, traits inside the where', () => {
    const ast = parseOk(
      "event('Shoes Bought').where( property('price') >= trait('avg_spend') AND event('Shoes Returned').within(parent: 5 days).count() >= 1 ).within(30 days).count() >= 1",
    );
    expect(definitionDependencies(ast)).toStrictEqual({ eventNames: ['Shoes Bought', 'Shoes Returned'], traitKeys: ['avg_spend'] });
  });

  it('traits anywhere: subjects, operands of every comparator kind, under NOT and ANY/ALL; sorted and distinct', () => {
    const ast = parseOk(
      [
        "ANY ( trait('zeta') = trait('alpha') )",
        "AND NOT ( trait('mid').contains('x', trait('beta'), trait('alpha')) )",
        "AND event('Order Completed').where(property('total') > trait('threshold')).count() >= trait('min_orders')",
        "OR event('Cart Viewed').count() >= 1 AND event('Order Completed').count() >= 1",
      ].join('\n'),
      'audience',
      'ACCOUNTS',
    );
    expect(definitionDependencies(ast)).toStrictEqual({
      eventNames: ['Cart Viewed', 'Order Completed'],
      traitKeys: ['alpha', 'beta', 'mid', 'min_orders', 'threshold', 'zeta'],
    });
  });

  it('a computed trait reading only a trait; page and screen streams by their event names', () => {
    expect(definitionDependencies(parseOk("trait('plan')", 'computed_trait'))).toStrictEqual({ eventNames: [], traitKeys: ['plan'] });
    expect(
      definitionDependencies(parseOk("event('Screen Viewed').count() >= 1 OR event('Page Viewed').where(context('page.path') = '/a').count() >= 1")),
    ).toStrictEqual({ eventNames: ['Page Viewed', 'Screen Viewed'], traitKeys: [] });
  });

  it('comparators without value operands contribute nothing beyond their subject', () => {
    const ast = parseOk(
      "trait('a').exists() AND trait('b').before_date('2024-01-01') AND trait('c').within_last(3 days) AND trait('d').absent()",
    );
    expect(definitionDependencies(ast)).toStrictEqual({ eventNames: [], traitKeys: ['a', 'b', 'c', 'd'] });
  });

  it('sorts by code point, not by UTF-16 unit (an emoji after U+FFxx)', () => {
    const ast = parseOk("event('😀').count() >= 1 AND event('\uff5e').count() >= 1 AND event('B').count() >= 1 AND event('a').count() >= 1");
    expect(definitionDependencies(ast).eventNames).toStrictEqual(['B', 'a', '\uff5e', '😀']);
  });
});

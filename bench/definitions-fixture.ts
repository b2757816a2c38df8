import type { DefinitionKind } from '../src/definitions/ast.ts';
import type { DefinitionRecord } from '../src/definitions/definition-record.ts';
import { definitionRecord } from '../test/support/definition-record.ts';

/** The event names bench events cycle through; definitions spread over them as in a real space. */
export const BENCH_EVENT_NAMES = [
  'Order Completed',
  'Product Viewed',
  'Product Added',
  'Checkout Started',
  'Signed Up',
  'Logged In',
  'Coupon Applied',
  'Review Written',
  'Wishlist Added',
  'Subscription Renewed',
] as const;

function name(i: number): string {
  return BENCH_EVENT_NAMES[i % BENCH_EVENT_NAMES.length]!;
}

/**
 * 50 audiences and 20 computed traits of every kind the issue names: windows (within, between),
 * where filters, funnels, every reducer, trait conditions and references to other definitions.
 */
export function benchDefinitions(spaceId: string): DefinitionRecord[] {
  const queries: Array<{ kind: DefinitionKind; key: string; query: string }> = [];
  for (let i = 0; i < 20; i++) {
    const e = name(i);
    const reducers = [
      `event('${e}').within(30 days).sum(property('total'))`,
      `event('${e}').within(7 days).avg(property('total'))`,
      `event('${e}').min(property('total'))`,
      `event('${e}').within(90 days).max(property('currency') as string)`,
      `event('${e}').within(30 days).mode(property('currency'), 2)`,
      `event('${e}').first(property('total'))`,
      `event('${e}').within(14 days).last(property('total'))`,
      `event('${e}').unique(property('currency')).count()`,
      `event('${e}').within(30 days).count()`,
      `event('${e}').where(property('total') >= 100).count()`,
    ];
    queries.push({ kind: 'computed_trait', key: `trait_${i}`, query: reducers[i % reducers.length]! });
  }
  for (let i = 0; i < 50; i++) {
    const e = name(i);
    const next = name(i + 1);
    const shapes = [
      `event('${e}').within(7 days).count() >= 2`,
      `event('${e}').where(property('total') > 100).within(30 days).count() >= 1`,
      `event('${e}').where(event('${next}').within(parent: 1 days).count() = 0).within(7 days).count() >= 1`,
      `trait('plan') = 'pro' AND event('${e}').between(1 days, 30 days).count() >= 1`,
      `trait('trait_${i % 20}') > 100 OR event('${e}').within(90 days).count() >= 3`,
    ];
    queries.push({ kind: 'audience', key: `audience_${i}`, query: shapes[i % shapes.length]! });
  }
  return queries.map(({ kind, key, query }, i) => definitionRecord({ id: `${kind === 'audience' ? 'aud' : 'trt'}_bench_${i}`, key, kind, query, spaceId }));
}

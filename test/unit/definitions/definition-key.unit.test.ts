import { describe, expect, it } from 'vitest';
import { deriveDefinitionKey, isValidDefinitionKey } from '../../../src/definitions/definition-key.ts';

describe('definition keys', () => {
  it.each([
    ['Order Completed last 30days', 'order_completed_last_30_days'],
    ['High Value Customers', 'high_value_customers'],
    ['  LTV > $500 (90d) ', 'ltv_500_90_d'],
    ['cart-abandoners_v2', 'cart_abandoners_v_2'],
    ['Ünïcode only', 'unicode_only'],
    ['¿¡!', ''],
  ])('derives %j → %j', (name, key) => {
    expect(deriveDefinitionKey(name)).toBe(key);
  });

  it('accepts lower-case snake_case keys only', () => {
    expect(isValidDefinitionKey('recent_buyers_30')).toBe(true);
    for (const bad of ['', 'Recent', 'a__b', '_a', 'a_', 'a-b', 'constructor ', 'x'.repeat(121)]) expect(isValidDefinitionKey(bad)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTIFIER_TYPES, identitySettingsFrom, ruleOf, withCustomType } from '../../../src/identity/settings.ts';
import type { IdentitySettings } from '../../../src/identity/settings.ts';
import { config } from './identity-harness.ts';

function priorities(settings: IdentitySettings): Record<string, number> {
  return Object.fromEntries(settings.order.map((r) => [r.type, r.priority]));
}

describe('identitySettingsFrom: Segment defaults (§4.2, §4.4)', () => {
  const settings = identitySettingsFrom(undefined);

  it('has the 11 default types, user_id and email first, the rest alphabetical from 3', () => {
    expect(settings.order.map((r) => r.type)).toEqual([...DEFAULT_IDENTIFIER_TYPES]);
    expect(priorities(settings)).toEqual({
      user_id: 1,
      email: 2,
      'android.id': 3,
      'android.idfa': 4,
      'android.push_token': 5,
      anonymous_id: 6,
      ga_client_id: 7,
      group_id: 8,
      'ios.id': 9,
      'ios.idfa': 10,
      'ios.push_token': 11,
    });
    expect(settings.order.map((r) => r.rank)).toEqual(settings.order.map((_, i) => i));
  });

  it('limits user_id to 1 and every other type to 5, with no time frame', () => {
    for (const rule of settings.order) {
      expect(rule.limit).toBe(rule.type === 'user_id' ? 1 : 5);
      expect(rule.frequency).toBeUndefined();
    }
  });

  it('caps merges at 100 and identifiers at 1,000 per profile', () => {
    expect(settings.maxMerges).toBe(100);
    expect(settings.maxIdentifiers).toBe(1000);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.order)).toBe(true);
    expect(settings.order.every((r) => Object.isFrozen(r))).toBe(true);
  });
});

describe('identitySettingsFrom: config overrides', () => {
  it('replaces the default rule of a listed type and keeps the others', () => {
    const settings = identitySettingsFrom(
      config([
        { type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 },
        { type: 'email', limit: 3, frequency: 'annually', priority: 2 },
      ]),
    );
    expect(settings.rules.get('anonymous_id')).toMatchObject({ limit: 5, frequency: 'weekly', priority: 3, fixedPriority: true });
    expect(settings.rules.get('email')).toMatchObject({ limit: 3, frequency: 'annually', priority: 2 });
    expect(settings.rules.get('user_id')).toMatchObject({ limit: 1, priority: 1 });
    expect(settings.rules.get('ios.id')).toMatchObject({ limit: 5, frequency: undefined });
  });

  it('ranks a configured priority before a tail type with the same number', () => {
    const settings = identitySettingsFrom(config([{ type: 'anonymous_id', limit: 5, priority: 3 }]));
    expect(settings.order.slice(0, 4).map((r) => r.type)).toEqual(['user_id', 'email', 'anonymous_id', 'android.id']);
    expect(settings.rules.get('android.id')?.priority).toBe(3);
  });

  it('lets config put email below other types', () => {
    const settings = identitySettingsFrom(config([{ type: 'email', limit: 5, priority: 50 }]));
    expect(settings.order.at(-1)?.type).toBe('email');
  });

  it('adds a configured custom type and lower-cases config types', () => {
    const settings = identitySettingsFrom(config([{ type: 'Phone', limit: 2, priority: 4 }]));
    expect(settings.rules.get('phone')).toMatchObject({ limit: 2, priority: 4, fixedPriority: true });
    expect(settings.rules.has('Phone')).toBe(false);
  });
});

describe('withCustomType', () => {
  it('adds the type with limit 5 and renumbers the alphabetical tail (§4.4)', () => {
    const settings = withCustomType(identitySettingsFrom(undefined), 'phone');
    expect(settings.rules.get('phone')).toMatchObject({ limit: 5, frequency: undefined, priority: 12 });
    const early = withCustomType(identitySettingsFrom(undefined), 'braze_id');
    expect(priorities(early)).toMatchObject({ 'android.push_token': 5, anonymous_id: 6, braze_id: 7, ga_client_id: 8, 'ios.push_token': 12 });
  });

  it('re-sorts the tail as in the doc example: a type sorting first takes 3 and pushes the rest down', () => {
    const settings = withCustomType(identitySettingsFrom(undefined), 'aardvark_id');
    expect(priorities(settings)).toMatchObject({ user_id: 1, email: 2, aardvark_id: 3, 'android.id': 4, anonymous_id: 7 });
  });

  it('keeps user_id, email and explicitly configured priorities', () => {
    const base = identitySettingsFrom(config([{ type: 'ios.id', limit: 1, frequency: 'ever', priority: 3 }]));
    const settings = withCustomType(base, 'aaa');
    expect(priorities(settings)).toMatchObject({ user_id: 1, email: 2, 'ios.id': 3, aaa: 3, 'android.id': 4 });
    expect(settings.order.slice(0, 4).map((r) => r.type)).toEqual(['user_id', 'email', 'ios.id', 'aaa']);
    expect(settings.rules.get('ios.id')).toMatchObject({ limit: 1, frequency: 'ever' });
  });

  it('returns the same object for a known type', () => {
    const settings = identitySettingsFrom(undefined);
    expect(withCustomType(settings, 'email')).toBe(settings);
    const withPhone = withCustomType(settings, 'phone');
    expect(withCustomType(withPhone, 'phone')).toBe(withPhone);
  });

  it('keeps the blocked values and system limits', () => {
    const settings = identitySettingsFrom(config([], ['x']));
    const next = withCustomType(settings, 'phone');
    expect(next.blocked).toBe(settings.blocked);
    expect(next.maxMerges).toBe(100);
    expect(next.maxIdentifiers).toBe(1000);
  });
});

describe('ruleOf', () => {
  it('gives an unlisted type the default limit and the lowest rank', () => {
    const settings = identitySettingsFrom(undefined);
    expect(ruleOf(settings, 'mystery')).toMatchObject({ limit: 5, rank: 11 });
  });
});

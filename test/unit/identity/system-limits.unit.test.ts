import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../../src/identity/identifier.ts';
import { identitySettingsFrom } from '../../../src/identity/settings.ts';
import { T0, config, harness, pid, resolvedOf, seedProfile } from './identity-harness.ts';

// §4.3 step 5 (product-limits.md): ≤ 100 merges and ≤ 1,000 identifier mappings per profile;
// past either, "No additional merges [mappings] will be added … Event resolution for the
// profile, however, will continue."

describe('merge limit (100 per profile)', () => {
  const winner = (mergeCount: number) => seedProfile('p_first', T0, [{ type: 'user_id', value: 'w' }], mergeCount);
  const other = (mergeCount = 0) => seedProfile('p_other', T0 + 1, [{ type: 'anonymous_id', value: 'x' }], mergeCount);

  it('merges up to the 100th merge', () => {
    const h = harness(undefined, [winner(99), other()]);
    const r = resolvedOf(h.send({ userId: 'w', anonymousId: 'x' }, T0 + 2));
    expect(r.merges).toEqual([{ loser: 'p_other', winner: 'p_first' }]);
    expect(h.graph.profile(pid('p_first'))?.mergeCount).toBe(100);
  });

  it('refuses the 101st: the event resolves to the highest-priority match, nothing merged', () => {
    const h = harness(undefined, [winner(100), other()]);
    const r = resolvedOf(h.send({ userId: 'w', anonymousId: 'x', context: { traits: { email: 'new@x.com' } } }, T0 + 2));
    expect(r).toMatchObject({ profileId: 'p_first', created: false, merges: [] });
    expect(r.violations).toEqual([
      {
        type: 'Profile merge limit exceeded',
        profileId: 'p_first',
        message: 'Merging would bring profile p_first to 101 merges, over the limit of 100; the profiles were not merged',
      },
    ]);
    // The identifier no profile held is still added; x stays where it was.
    expect(r.addIdentifiers.map((i) => i.value)).toEqual(['new@x.com']);
    expect(h.graph.profileOf({ type: 'anonymous_id', value: 'x' })).toBe('p_other');
  });

  it('resolves to the highest-priority match even when it was created later', () => {
    const first = seedProfile('p_first', T0, [{ type: 'anonymous_id', value: 'x' }], 100);
    const later = seedProfile('p_later', T0 + 1, [{ type: 'user_id', value: 'w' }]);
    const r = resolvedOf(harness(undefined, [first, later]).send({ userId: 'w', anonymousId: 'x' }, T0 + 2));
    expect(r).toMatchObject({ profileId: 'p_later', merges: [] });
  });

  it('counts the merges a folded profile brings', () => {
    const h = harness(undefined, [winner(50), other(50)]);
    const r = resolvedOf(h.send({ userId: 'w', anonymousId: 'x' }, T0 + 2));
    expect(r.merges).toEqual([]);
    expect(r.violations[0]?.message).toContain('101 merges');
  });

  it('reaches the cap through real events', () => {
    const settings = identitySettingsFrom(config([{ type: 'anonymous_id', limit: 1000, priority: 3 }]));
    const h = harness({ ...settings, maxMerges: 3 });
    h.send({ userId: 'w' }, T0);
    for (let i = 1; i <= 4; i++) h.send({ anonymousId: `a${i}` }, T0 + i);
    for (let i = 1; i <= 3; i++) expect(resolvedOf(h.send({ userId: 'w', anonymousId: `a${i}` }, T0 + 10 + i)).merges).toHaveLength(1);
    const r = resolvedOf(h.send({ userId: 'w', anonymousId: 'a4' }, T0 + 20));
    expect(r.merges).toEqual([]);
    expect(r.violations.map((v) => v.type)).toEqual(['Profile merge limit exceeded']);
    expect(h.graph.profile(pid('profile_1'))?.mergeCount).toBe(3);
  });
});

describe('identifier mapping limit (1,000 per profile)', () => {
  const settings = identitySettingsFrom(config([{ type: 'device_id', limit: 5000, priority: 3 }]));
  const devices = (n: number, prefix = 'd'): Identifier[] => Array.from({ length: n }, (_, i) => ({ type: 'device_id', value: `${prefix}${i}` }));

  it('adds no identifier past 1,000 but still resolves the event', () => {
    const full = seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }, ...devices(999)]);
    const h = harness(settings, [full]);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a1' }, T0 + 1));
    expect(r).toMatchObject({ profileId: 'p1', addIdentifiers: [] });
    expect(r.violations).toEqual([
      {
        type: 'Identifier mapping limit exceeded',
        profileId: 'p1',
        identifier: { type: 'anonymous_id', value: 'a1' },
        message: 'Profile p1 would hold more than 1000 identifiers; anonymous_id:a1 was not added',
      },
    ]);
    expect(h.graph.profile(pid('p1'))?.identifiers).toHaveLength(1000);
  });

  it('fills the last slots in priority order', () => {
    const h = harness(settings, [seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }, ...devices(998)])]);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a1', context: { traits: { email: 'e@x.com' } } }, T0 + 1));
    expect(r.addIdentifiers.map((i) => i.type)).toEqual(['email']);
    expect(r.violations.map((v) => [v.type, v.identifier?.type])).toEqual([['Identifier mapping limit exceeded', 'anonymous_id']]);
  });

  it('caps a new profile too', () => {
    const h = harness({ ...settings, maxIdentifiers: 2 });
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a1', context: { traits: { email: 'e@x.com' } } }, T0));
    expect(r).toMatchObject({ created: true });
    expect(r.addIdentifiers.map((i) => i.type)).toEqual(['user_id', 'email']);
    expect(r.violations.map((v) => v.type)).toEqual(['Identifier mapping limit exceeded']);
  });

  it('does not merge profiles that together hold more than 1,000 identifiers', () => {
    const a = seedProfile('p_a', T0, [{ type: 'user_id', value: 'u1' }, ...devices(600, 'a')]);
    const b = seedProfile('p_b', T0 + 1, [{ type: 'anonymous_id', value: 'x' }, ...devices(400, 'b')]);
    const h = harness(settings, [a, b]);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'x' }, T0 + 2));
    expect(r).toMatchObject({ profileId: 'p_a', merges: [] });
    expect(r.violations).toEqual([
      {
        type: 'Identifier mapping limit exceeded',
        profileId: 'p_a',
        message: 'Merging would bring profile p_a to 1002 identifiers, over the limit of 1000; the profiles were not merged',
      },
    ]);
  });

  it('merges profiles that together hold exactly 1,000', () => {
    const a = seedProfile('p_a', T0, [{ type: 'user_id', value: 'u1' }, ...devices(599, 'a')]);
    const b = seedProfile('p_b', T0 + 1, [{ type: 'anonymous_id', value: 'x' }, ...devices(399, 'b')]);
    const h = harness(settings, [a, b]);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'x' }, T0 + 2));
    expect(r.merges).toEqual([{ loser: 'p_b', winner: 'p_a' }]);
    expect(h.graph.profile(pid('p_a'))?.identifiers).toHaveLength(1000);
  });
});

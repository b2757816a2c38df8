import { describe, expect, it } from 'vitest';
import { findLimitBreach } from '../../../src/identity/identifier-limits.ts';
import { identitySettingsFrom } from '../../../src/identity/settings.ts';
import { DAY, T0, config, harness, pid, resolvedOf, seedProfile } from './identity-harness.ts';

const HOUR = DAY / 24;

describe('time-framed limits (§4.4 "5 Weekly")', () => {
  const weekly = identitySettingsFrom(config([{ type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 }]));

  function fiveAnonymousIdsInFiveHours() {
    const h = harness(weekly);
    for (let i = 1; i <= 5; i++) h.send({ userId: 'u1', anonymousId: `a${i}` }, T0 + (i - 1) * HOUR);
    expect(h.idsOf(pid('profile_1'))).toHaveLength(6);
    return h;
  }

  it('refuses a 6th anonymous_id within the week: it is demoted and the event resolves on user_id', () => {
    const h = fiveAnonymousIdsInFiveHours();
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a6' }, T0 + 6 * DAY));
    expect(r).toMatchObject({ profileId: 'profile_1', created: false, addIdentifiers: [] });
    expect(r.violations).toEqual([
      {
        type: 'Identifier value time limit exceeded',
        identifier: { type: 'anonymous_id', value: 'a6' },
        profileId: 'profile_1',
        message: 'anonymous_id:a6 was demoted: profile profile_1 would hold 6 anonymous_id values, over the limit of 5 weekly',
      },
    ]);
    expect(h.graph.profileOf({ type: 'anonymous_id', value: 'a6' })).toBeUndefined();
  });

  it('accepts one 8 days later, when the first five have left the frame', () => {
    const h = fiveAnonymousIdsInFiveHours();
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a7' }, T0 + 8 * DAY));
    expect(r.violations).toEqual([]);
    expect(r.addIdentifiers.map((i) => i.value)).toEqual(['a7']);
    expect(h.idsOf(pid('profile_1'))).toHaveLength(7);
  });

  it('treats a value exactly one frame old as out of the frame', () => {
    const h = harness(weekly, [
      seedProfile(
        'p1',
        T0,
        ['a1', 'a2', 'a3', 'a4', 'a5'].map((value) => ({ type: 'anonymous_id', value })).concat([{ type: 'user_id', value: 'u1' }]),
      ),
    ]);
    expect(resolvedOf(h.send({ userId: 'u1', anonymousId: 'late' }, T0 + 7 * DAY - 1)).addIdentifiers).toEqual([]);
    expect(resolvedOf(h.send({ userId: 'u1', anonymousId: 'late' }, T0 + 7 * DAY)).addIdentifiers).toHaveLength(1);
  });

  it('without a frequency the limit is for all time ("Identifier value limit exceeded")', () => {
    const h = harness(identitySettingsFrom(undefined));
    for (let i = 1; i <= 5; i++) h.send({ userId: 'u1', anonymousId: `a${i}` }, T0);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a7' }, T0 + 400 * DAY));
    expect(r.violations.map((v) => v.type)).toEqual(['Identifier value limit exceeded']);
  });

  it('"ever" is all time too', () => {
    const h = harness(identitySettingsFrom(config([{ type: 'email', limit: 1, frequency: 'ever', priority: 2 }])));
    h.send({ userId: 'u1', context: { traits: { email: 'old@x.com' } } }, T0);
    const r = resolvedOf(h.send({ userId: 'u1', context: { traits: { email: 'new@x.com' } } }, T0 + 3000 * DAY));
    expect(r.violations.map((v) => v.type)).toEqual(['Identifier value limit exceeded']);
  });

  it.each([
    ['monthly', 29, 31],
    ['annually', 364, 366],
  ] as const)('%s frames are 30 and 365 days', (frequency, insideDays, outsideDays) => {
    const settings = identitySettingsFrom(config([{ type: 'email', limit: 1, frequency, priority: 2 }]));
    const seed = [seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'old@x.com' }])];
    const inside = harness(settings, seed).send({ userId: 'u1', context: { traits: { email: 'new@x.com' } } }, T0 + insideDays * DAY);
    expect(inside.violations.map((v) => v.type)).toEqual(['Identifier value time limit exceeded']);
    const outside = harness(settings, seed).send({ userId: 'u1', context: { traits: { email: 'new@x.com' } } }, T0 + outsideDays * DAY);
    expect(resolvedOf(outside).addIdentifiers).toHaveLength(1);
  });

  it('counts, on a merge, the values of every merged profile within the frame', () => {
    const settings = identitySettingsFrom(config([{ type: 'anonymous_id', limit: 3, frequency: 'weekly', priority: 3 }]));
    const anon = (values: string[]) => values.map((value) => ({ type: 'anonymous_id', value }));
    const old = seedProfile('p_old', T0, anon(['o1', 'o2', 'o3']));
    const fresh = seedProfile('p_new', T0 + 10 * DAY, anon(['n1', 'n2']));
    // o1..o3 are out of the weekly frame at T0 + 10 days: the merge holds 2 values in the frame.
    const h = harness(settings, [old, fresh]);
    const r = resolvedOf(h.send({ context: { externalIds: [{ id: 'o1', type: 'anonymous_id' }, { id: 'n1', type: 'anonymous_id' }] } }, T0 + 10 * DAY));
    expect(r.merges).toEqual([{ loser: 'p_new', winner: 'p_old' }]);
    // Within the frame (2 days later, say) the same merge would hold 5 and is refused.
    const h2 = harness(settings, [old, seedProfile('p_new', T0 + DAY, anon(['n1', 'n2']))]);
    const r2 = resolvedOf(h2.send({ context: { externalIds: [{ id: 'o1', type: 'anonymous_id' }, { id: 'n1', type: 'anonymous_id' }] } }, T0 + 2 * DAY));
    expect(r2.merges).toEqual([]);
    expect(r2.violations.map((v) => v.type)).toEqual(['Identifier value time limit exceeded']);
  });
});

describe('priority demotion', () => {
  it('demotes the lowest-priority identifier first and retries until the profile fits', () => {
    const h = harness();
    h.send({ type: 'identify', userId: 'u1', traits: { email: 'e1@x.com' } }, T0);
    const r = resolvedOf(
      h.send(
        { type: 'identify', userId: 'u2', anonymousId: 'a9', traits: { email: 'e1@x.com' }, context: { device: { type: 'ios', id: 'd9' } } },
        T0 + 1,
      ),
    );
    // ios.id (9) goes first, then anonymous_id (6), then email (2): only user_id u2 is left.
    expect(r.violations.map((v) => `${v.identifier?.type}:${v.identifier?.value}`)).toEqual(['ios.id:d9', 'anonymous_id:a9', 'email:e1@x.com']);
    expect(r).toMatchObject({ profileId: 'profile_2', created: true });
    expect(h.idsOf(pid('profile_2'))).toEqual(['user_id:u2']);
  });

  it('stops demoting as soon as the profile fits', () => {
    const h = harness();
    h.send({ type: 'identify', userId: 'u1', anonymousId: 'a1' }, T0);
    const r = resolvedOf(h.send({ type: 'identify', userId: 'u2', anonymousId: 'a1', traits: { email: 'e2@x.com' } }, T0 + 1));
    expect(r.violations.map((v) => v.identifier?.type)).toEqual(['anonymous_id']);
    expect(h.idsOf(r.profileId)).toEqual(['email:e2@x.com', 'user_id:u2']);
  });

  it('follows configured priorities: email ranked below anonymous_id is demoted first', () => {
    const settings = identitySettingsFrom(config([{ type: 'email', limit: 5, priority: 20 }]));
    const h = harness(settings);
    h.send({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'shared@x.com' } }, T0);
    h.send({ type: 'identify', userId: 'u2', anonymousId: 'a2' }, T0 + 1);
    const r = resolvedOf(h.send({ type: 'identify', userId: 'u2', anonymousId: 'a2', traits: { email: 'shared@x.com' } }, T0 + 2));
    expect(r.violations.map((v) => v.identifier?.type)).toEqual(['email']);
    expect(r.profileId).toBe('profile_2');
  });

  it('demotes custom types by their alphabetical priority', () => {
    const h = harness();
    h.send({ userId: 'u1', context: { externalIds: [{ id: 'x', type: 'zeta_id' }] } }, T0);
    h.send({ userId: 'u2' }, T0 + 1);
    const r = resolvedOf(h.send({ userId: 'u2', context: { externalIds: [{ id: 'x', type: 'zeta_id' }, { id: 'y', type: 'alpha_id' }] } }, T0 + 2));
    expect(r.violations.map((v) => v.identifier?.type)).toEqual(['zeta_id']);
    expect(h.idsOf(r.profileId)).toEqual(['alpha_id:y', 'user_id:u2']);
  });

  it('lets a profile already over a tightened limit receive events that add nothing of that type (§4.4)', () => {
    const settings = identitySettingsFrom(config([{ type: 'anonymous_id', limit: 2, priority: 3 }]));
    const anon = ['a1', 'a2', 'a3'].map((value) => ({ type: 'anonymous_id', value }));
    const h = harness(settings, [seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }, ...anon])]);
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a3', context: { traits: { email: 'e@x.com' } } }, T0 + 1));
    expect(r).toMatchObject({ profileId: 'p1', violations: [] });
    expect(r.addIdentifiers.map((i) => i.type)).toEqual(['email']);
  });
});

describe('last identifier', () => {
  it('is never demoted: with a limit below 1 (which config refuses) the event still lands on a new profile', () => {
    const base = identitySettingsFrom(undefined);
    const userId = base.rules.get('user_id')!;
    const zero = { ...base, rules: new Map([...base.rules, ['user_id', { ...userId, limit: 0 }]]) };
    const r = resolvedOf(harness(zero).send({ userId: 'u1' }, T0));
    expect(r).toMatchObject({ created: true, addIdentifiers: [{ type: 'user_id', value: 'u1' }] });
    expect(r.violations).toEqual([
      {
        type: 'Identifier value limit exceeded',
        identifier: { type: 'user_id', value: 'u1' },
        message: "user_id:u1 was kept, as the event's last identifier: the new profile would hold 1 user_id values, over the limit of 0",
      },
    ]);
  });
});

describe('findLimitBreach', () => {
  const settings = identitySettingsFrom(undefined);

  it('reports the highest-priority breached type', () => {
    const p1 = seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }, ...['a1', 'a2', 'a3'].map((value) => ({ type: 'anonymous_id', value }))]);
    const p2 = seedProfile('p2', T0, [{ type: 'user_id', value: 'u2' }, ...['a4', 'a5', 'a6'].map((value) => ({ type: 'anonymous_id', value }))]);
    expect(findLimitBreach([p1, p2], [], settings, T0)).toMatchObject({ rule: { type: 'user_id' }, count: 2 });
  });

  it('counts new values against a single profile', () => {
    const p1 = seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }]);
    expect(findLimitBreach([p1], [{ type: 'user_id', value: 'u2' }], settings, T0)).toMatchObject({ count: 2 });
    expect(findLimitBreach([p1], [{ type: 'email', value: 'e' }], settings, T0)).toBeUndefined();
    expect(findLimitBreach([], [{ type: 'user_id', value: 'u1' }, { type: 'user_id', value: 'u2' }], settings, T0)).toMatchObject({ count: 2 });
  });
});

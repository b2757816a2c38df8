import { describe, expect, it } from 'vitest';
import { createMemoryIdentityGraph } from '../../../src/identity/memory-identity-graph.ts';
import { resolveIdentity } from '../../../src/identity/resolve-identity.ts';
import { identitySettingsFrom } from '../../../src/identity/settings.ts';
import { T0, config, harness, pid, resolvedOf, seedProfile } from './identity-harness.ts';

// Matching logic of segment-reference §4.3 and the examples of §4.3 and §4.6.

describe('resolveIdentity: number of matching profiles', () => {
  it('0 matches: creates a profile holding every identifier, stamped with the event', () => {
    const h = harness();
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a1' }, T0));
    expect(r).toMatchObject({ profileId: 'profile_1', created: true, at: T0, merges: [], violations: [] });
    expect(r.addIdentifiers).toEqual([
      { type: 'user_id', value: 'u1', addedAt: T0, firstMessageId: 'msg_1', sourceId: 'src_test' },
      { type: 'anonymous_id', value: 'a1', addedAt: T0, firstMessageId: 'msg_1', sourceId: 'src_test' },
    ]);
    expect(h.graph.profile(pid('profile_1'))).toMatchObject({ createdAt: T0, mergeCount: 0 });
  });

  it('1 match: joins, adding only the identifiers the profile lacks', () => {
    const h = harness();
    h.send({ anonymousId: 'a1' }, T0);
    const r = resolvedOf(h.send({ type: 'identify', anonymousId: 'a1', userId: 'u1' }, T0 + 1));
    expect(r).toMatchObject({ profileId: 'profile_1', created: false, merges: [] });
    expect(r.addIdentifiers).toEqual([{ type: 'user_id', value: 'u1', addedAt: T0 + 1, firstMessageId: 'msg_2', sourceId: 'src_test' }]);
    expect(h.idsOf(pid('profile_1'))).toEqual(['anonymous_id:a1', 'user_id:u1']);
  });

  it('1 match with nothing new: resolves with no changes', () => {
    const h = harness();
    h.send({ userId: 'u1', anonymousId: 'a1' });
    const r = resolvedOf(h.send({ userId: 'u1', anonymousId: 'a1' }));
    expect(r).toEqual({ kind: 'resolved', profileId: 'profile_1', created: false, at: T0, addIdentifiers: [], merges: [], violations: [] });
  });

  it('≥2 matches: merges into the profile created first, counting one merge per profile folded in', () => {
    const h = harness();
    h.send({ anonymousId: 'a1' }, T0);
    h.send({ anonymousId: 'a2' }, T0 + 1);
    h.send({ context: { traits: { email: 'e@x.com' } } }, T0 + 2);
    const r = resolvedOf(h.send({ anonymousId: 'a2', context: { traits: { email: 'e@x.com' } }, userId: 'u1' }, T0 + 3));
    // profile_3 (email) is the highest-priority match, but profile_2 was created first.
    expect(r.profileId).toBe('profile_2');
    expect(r.merges).toEqual([{ loser: 'profile_3', winner: 'profile_2' }]);
    expect(h.graph.profile(pid('profile_2'))?.mergeCount).toBe(1);

    const all = resolvedOf(h.send({ anonymousId: 'a1', userId: 'u1' }, T0 + 4));
    expect(all).toMatchObject({ profileId: 'profile_1', merges: [{ loser: 'profile_2', winner: 'profile_1' }] });
    // profile_2 brings the profile folded into it.
    expect(h.graph.profile(pid('profile_1'))?.mergeCount).toBe(2);
    expect(h.idsOf(pid('profile_1'))).toEqual(['anonymous_id:a1', 'anonymous_id:a2', 'email:e@x.com', 'user_id:u1']);
    expect(h.graph.profile(pid('profile_2'))).toBeUndefined();
  });

  it('merges three profiles at once', () => {
    const h = harness();
    h.send({ anonymousId: 'a1' }, T0);
    h.send({ anonymousId: 'a2' }, T0 + 1);
    h.send({ anonymousId: 'a3' }, T0 + 2);
    const r = resolvedOf(h.send({ context: { externalIds: [{ id: 'a3', type: 'anonymous_id' }, { id: 'a2', type: 'anonymous_id' }, { id: 'a1', type: 'anonymous_id' }] } }, T0 + 3));
    expect(r.profileId).toBe('profile_1');
    expect(r.merges).toEqual([
      { loser: 'profile_3', winner: 'profile_1' },
      { loser: 'profile_2', winner: 'profile_1' },
    ]);
    expect(h.graph.profile(pid('profile_1'))?.mergeCount).toBe(2);
  });

  it('breaks a createdAt tie by profile id', () => {
    const graph = createMemoryIdentityGraph([seedProfile('p_b', T0, [{ type: 'user_id', value: 'u1' }]), seedProfile('p_a', T0, [{ type: 'anonymous_id', value: 'a1' }])]);
    const r = resolveIdentity(
      { identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'anonymous_id', value: 'a1' }], at: T0, messageId: 'm', sourceId: 's', eventType: 'track' },
      graph,
      identitySettingsFrom(undefined),
      () => pid('never'),
    );
    expect(resolvedOf(r).profileId).toBe('p_a');
  });
});

describe('resolveIdentity: no identifiers', () => {
  it('is unresolved with "No matching identifiers on event"', () => {
    const r = harness().send({ properties: {} });
    expect(r).toEqual({ kind: 'unresolved', violations: [{ type: 'No matching identifiers on event', message: expect.any(String) }] });
  });

  it('reports the blocked values that left the event without identifiers', () => {
    const h = harness();
    const r = h.send({ userId: 'anonymous', anonymousId: '0' });
    expect(r.kind).toBe('unresolved');
    expect(r.violations.map((v) => [v.type, v.identifier])).toEqual([
      ['ID value blocked', { type: 'user_id', value: 'anonymous' }],
      ['ID value blocked', { type: 'anonymous_id', value: '0' }],
      ['No matching identifiers on event', undefined],
    ]);
    expect(h.graph.profiles()).toEqual([]);
  });

  it('still resolves on the remaining identifiers, reporting each blocked value', () => {
    const h = harness();
    h.send({ anonymousId: 'a1' });
    const r = resolvedOf(h.send({ anonymousId: 'a1', userId: 'null' }));
    expect(r.profileId).toBe('profile_1');
    expect(r.violations).toEqual([{ type: 'ID value blocked', identifier: { type: 'user_id', value: 'null' }, message: expect.stringContaining('user_id:null') }]);
  });
});

describe('resolveIdentity: the worked example of §4.3 (identity-resolution-settings.md)', () => {
  it('demotes email and creates a new profile {user_id: abc456}', () => {
    const h = harness(
      identitySettingsFrom(
        config([
          { type: 'user_id', limit: 1, priority: 1 },
          { type: 'email', limit: 5, priority: 2 },
          { type: 'anonymous_id', limit: 5, priority: 3 },
        ]),
      ),
    );
    h.send({ type: 'identify', userId: 'abc123', traits: { email: 'jane@example1.com' } }, T0);
    expect(h.idsOf(pid('profile_1'))).toEqual(['email:jane@example1.com', 'user_id:abc123']);

    const r = resolvedOf(h.send({ type: 'identify', userId: 'abc456', traits: { email: 'jane@example1.com' } }, T0 + 1));
    expect(r).toMatchObject({ profileId: 'profile_2', created: true, merges: [] });
    expect(r.addIdentifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['user_id:abc456']);
    expect(r.violations).toEqual([
      {
        type: 'Identifier value limit exceeded',
        identifier: { type: 'email', value: 'jane@example1.com' },
        profileId: 'profile_1',
        message: 'email:jane@example1.com was demoted: profile profile_1 would hold 2 user_id values, over the limit of 1',
      },
    ]);
    expect(h.idsOf(pid('profile_1'))).toEqual(['email:jane@example1.com', 'user_id:abc123']);
    expect(h.idsOf(pid('profile_2'))).toEqual(['user_id:abc456']);
  });
});

describe('resolveIdentity: merge protection (FAQ, src/engage/faqs.md)', () => {
  it('anonymous a1 seen with u1 then u2 gives two profiles; a1 stays on the first', () => {
    const h = harness();
    h.send({ type: 'identify', anonymousId: 'a1', userId: 'u1' }, T0);
    const r = resolvedOf(h.send({ type: 'identify', anonymousId: 'a1', userId: 'u2' }, T0 + 1));
    expect(r).toMatchObject({ profileId: 'profile_2', created: true, merges: [] });
    expect(r.violations).toMatchObject([{ type: 'Identifier value limit exceeded', identifier: { type: 'anonymous_id', value: 'a1' } }]);
    expect(h.idsOf(pid('profile_1'))).toEqual(['anonymous_id:a1', 'user_id:u1']);
    expect(h.idsOf(pid('profile_2'))).toEqual(['user_id:u2']);
    // Later events of a1 alone still find the first profile.
    expect(resolvedOf(h.send({ anonymousId: 'a1' }, T0 + 2)).profileId).toBe('profile_1');
  });

  it('refuses to merge two known users through a shared email ("blob users")', () => {
    const h = harness();
    h.send({ type: 'identify', userId: 'u1', traits: { email: 'team@co.com' } });
    h.send({ type: 'identify', userId: 'u2' });
    const r = resolvedOf(h.send({ type: 'identify', userId: 'u2', traits: { email: 'team@co.com' } }));
    expect(r).toMatchObject({ profileId: 'profile_2', merges: [], addIdentifiers: [] });
    expect(r.violations.map((v) => v.identifier)).toEqual([{ type: 'email', value: 'team@co.com' }]);
  });
});

describe('resolveIdentity: anonymous → known (§4.6, externalids.md)', () => {
  it('follows the four-event table and merges profile 2 into profile 1', () => {
    const h = harness();
    const anon1 = '5285bc35-05ef-4d21';
    const anon2 = 'b50e18a5-1b8d-451c';
    const email = 'jane.kim@segment.com';

    const e1 = resolvedOf(h.send({ type: 'page', anonymousId: anon1 }, T0));
    expect(e1).toMatchObject({ profileId: 'profile_1', created: true });

    const e2 = resolvedOf(h.send({ type: 'identify', anonymousId: anon1, traits: { email } }, T0 + 1));
    expect(e2).toMatchObject({ profileId: 'profile_1', created: false, merges: [] });
    expect(e2.addIdentifiers.map((i) => i.type)).toEqual(['email']);

    const e3 = resolvedOf(h.send({ type: 'page', anonymousId: anon2 }, T0 + 2));
    expect(e3).toMatchObject({ profileId: 'profile_2', created: true });

    const e4 = resolvedOf(h.send({ type: 'identify', anonymousId: anon2, traits: { email } }, T0 + 3));
    expect(e4).toMatchObject({ profileId: 'profile_1', created: false, merges: [{ loser: 'profile_2', winner: 'profile_1' }], addIdentifiers: [], violations: [] });

    expect(h.idsOf(pid('profile_1'))).toEqual([`anonymous_id:${anon1}`, `anonymous_id:${anon2}`, `email:${email}`]);
    expect(h.graph.profiles().map((p) => p.id)).toEqual(['profile_1']);
    expect(h.graph.liveProfileOf(pid('profile_2'))).toBe('profile_1');
  });
});

describe('resolveIdentity: alias', () => {
  it('never merges: resolves to the highest-priority match and leaves the other profile alone', () => {
    const h = harness();
    h.send({ anonymousId: 'a1' }, T0);
    h.send({ userId: 'u1' }, T0 + 1);
    const r = resolvedOf(h.send({ type: 'alias', userId: 'u1', anonymousId: 'a1', previousId: 'a1' }, T0 + 2));
    expect(r).toMatchObject({ profileId: 'profile_2', merges: [], addIdentifiers: [], violations: [] });
    expect(h.graph.profiles()).toHaveLength(2);
  });

  it('adds the ids no profile holds, as any event does; previousId is not one of them', () => {
    const h = harness();
    h.send({ userId: 'u1' }, T0);
    const r = resolvedOf(h.send({ type: 'alias', userId: 'u1', anonymousId: 'a9', previousId: 'old-id' }, T0 + 1));
    expect(r.addIdentifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['anonymous_id:a9']);
    expect(h.graph.profileOf({ type: 'user_id', value: 'old-id' })).toBeUndefined();
    expect(h.graph.profileOf({ type: 'anonymous_id', value: 'old-id' })).toBeUndefined();
  });
});

describe('resolveIdentity: input handling', () => {
  it('accepts identifiers in any order and with duplicates', () => {
    const graph = createMemoryIdentityGraph();
    const r = resolvedOf(
      resolveIdentity(
        {
          identifiers: [
            { type: 'anonymous_id', value: 'a1' },
            { type: 'user_id', value: 'u1' },
            { type: 'anonymous_id', value: 'a1' },
          ],
          at: T0,
          messageId: 'm',
          sourceId: 's',
          eventType: 'track',
        },
        graph,
        identitySettingsFrom(undefined),
        () => pid('p1'),
      ),
    );
    expect(r.addIdentifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['user_id:u1', 'anonymous_id:a1']);
  });

  it('mints a profile id only when it creates a profile', () => {
    let minted = 0;
    const graph = createMemoryIdentityGraph([seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }])]);
    const input = { identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'e' }], at: T0, messageId: 'm', sourceId: 's', eventType: 'track' as const };
    resolveIdentity(input, graph, identitySettingsFrom(undefined), () => pid(`new_${++minted}`));
    expect(minted).toBe(0);
  });

  it('throws when the graph port breaks its contract (profileOf names a profile that does not exist)', () => {
    const graph = { profileOf: () => pid('ghost'), profile: () => undefined };
    const input = { identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'e' }], at: T0, messageId: 'm', sourceId: 's', eventType: 'track' as const };
    // Both ids "on" ghost: the fast path never loads the profile.
    expect(resolveIdentity(input, graph, identitySettingsFrom(undefined), () => pid('x')).kind).toBe('resolved');
    const split = { profileOf: (id: { type: string }) => (id.type === 'user_id' ? pid('ghost') : undefined), profile: () => undefined };
    expect(() => resolveIdentity(input, split, identitySettingsFrom(undefined), () => pid('x'))).toThrow('ghost');
  });
});

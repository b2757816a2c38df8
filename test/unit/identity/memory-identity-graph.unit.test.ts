import { describe, expect, it } from 'vitest';
import { createMemoryIdentityGraph } from '../../../src/identity/memory-identity-graph.ts';
import type { Resolved } from '../../../src/identity/resolution.ts';
import { T0, pid, seedProfile } from './identity-harness.ts';

function record(type: string, value: string, addedAt = T0) {
  return { type, value, addedAt, firstMessageId: 'm', sourceId: 's' };
}

function resolved(fields: Partial<Resolved> & Pick<Resolved, 'profileId'>): Resolved {
  return { kind: 'resolved', created: false, at: T0, addIdentifiers: [], merges: [], violations: [], ...fields };
}

describe('createMemoryIdentityGraph', () => {
  it('creates a profile and maps its identifiers', () => {
    const graph = createMemoryIdentityGraph();
    graph.apply(resolved({ profileId: pid('p1'), created: true, addIdentifiers: [record('user_id', 'u1')] }));
    expect(graph.profileOf({ type: 'user_id', value: 'u1' })).toBe('p1');
    expect(graph.profileOf({ type: 'user_id', value: 'u2' })).toBeUndefined();
    expect(graph.profileOf({ type: 'email', value: 'u1' })).toBeUndefined();
    expect(graph.profile(pid('p1'))).toEqual({ id: 'p1', createdAt: T0, mergeCount: 0, identifiers: [record('user_id', 'u1')] });
  });

  it('folds losers into the winner, then adds identifiers, and follows merges', () => {
    const graph = createMemoryIdentityGraph([
      seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }]),
      seedProfile('p2', T0 + 1, [{ type: 'anonymous_id', value: 'a2' }], 4),
    ]);
    graph.apply(resolved({ profileId: pid('p1'), merges: [{ loser: pid('p2'), winner: pid('p1') }], addIdentifiers: [record('email', 'e')] }));
    expect(graph.profileOf({ type: 'anonymous_id', value: 'a2' })).toBe('p1');
    expect(graph.profile(pid('p1'))?.mergeCount).toBe(5);
    expect(graph.profile(pid('p1'))?.identifiers.map((i) => i.value)).toEqual(['u1', 'a2', 'e']);
    expect(graph.profile(pid('p2'))).toBeUndefined();
    expect(graph.liveProfileOf(pid('p2'))).toBe('p1');
    expect(graph.liveProfileOf(pid('p9'))).toBeUndefined();
    expect(graph.profiles().map((p) => p.id)).toEqual(['p1']);
  });

  it('follows chains of merges', () => {
    const graph = createMemoryIdentityGraph([seedProfile('p1', T0, []), seedProfile('p2', T0 + 1, []), seedProfile('p3', T0 + 2, [])]);
    graph.apply(resolved({ profileId: pid('p2'), merges: [{ loser: pid('p3'), winner: pid('p2') }] }));
    graph.apply(resolved({ profileId: pid('p1'), merges: [{ loser: pid('p2'), winner: pid('p1') }] }));
    expect(graph.liveProfileOf(pid('p3'))).toBe('p1');
    expect(graph.profile(pid('p1'))?.mergeCount).toBe(2);
  });

  it('ignores unresolved events', () => {
    const graph = createMemoryIdentityGraph();
    graph.apply({ kind: 'unresolved', violations: [] });
    expect(graph.profiles()).toEqual([]);
  });

  it('refuses a resolution that contradicts the graph', () => {
    const graph = createMemoryIdentityGraph([seedProfile('p1', T0, [{ type: 'user_id', value: 'u1' }]), seedProfile('p2', T0, [])]);
    expect(() => graph.apply(resolved({ profileId: pid('p2'), addIdentifiers: [record('user_id', 'u1')] }))).toThrow('already held by p1');
    expect(() => graph.apply(resolved({ profileId: pid('p1'), created: true }))).toThrow('already exists');
    expect(() => graph.apply(resolved({ profileId: pid('nope') }))).toThrow('not a live profile');
    expect(() => graph.apply(resolved({ profileId: pid('p1'), merges: [{ loser: pid('p2'), winner: pid('p3') }] }))).toThrow('not the resolved');
    expect(() => createMemoryIdentityGraph([seedProfile('a', T0, [{ type: 'x', value: '1' }]), seedProfile('b', T0, [{ type: 'x', value: '1' }])])).toThrow();
  });
});

import { loadedComputeStates } from '../../../../src/actors/compute-states.ts';
import { describe, expect, it } from 'vitest';
import { emptyProfile, type ProfileState } from '../../../../src/actors/profile-state.ts';
import { connectionEntries, exitEntries, outboxEntriesForStep } from '../../../../src/runtime/shard/outbox-entries.ts';
import type { SpaceSyncTargets, SyncedDefinition } from '../../../../src/runtime/shard/sync-targets.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';

// The shard's mapping from a step's sync effects to outbox entries: which destinations, which
// identifiers, which values, and ids that do not change when the same step is mapped again.

const T0 = Date.UTC(2026, 0, 1);
const pid = asProfileId('use_1');
const origin = { messageId: 'm', sourceId: 'src', receivedAt: T0 };
const id = (type: string, value: string) => ({ type, value, addedAt: T0, firstMessageId: 'm', sourceId: 'src' });

/** A profile holding these answers (audience keys and computed traits), as its shard loaded it. */
function profile(answers: Record<string, unknown>, identifiers = [id('user_id', 'u1'), id('email', 'a@x.test')], version = 7): ProfileState {
  const base = emptyProfile(pid, asSpaceId('default'), origin, T0);
  return {
    ...base,
    version,
    identifiers,
    compute: loadedComputeStates([], Object.entries(answers).map(([key, value]) => [key, { value: value as never, updatedAt: T0, sourceId: 'default' }])),
  };
}

const buyers: SyncedDefinition = {
  id: 'aud_buyers',
  key: 'buyers',
  kind: 'audience',
  targets: [
    { destinationId: 'dst_a', destinationName: 'A', format: 'identify', connectionId: 'c-a' },
    { destinationId: 'dst_b', destinationName: 'B', format: 'track', connectionId: 'c-b' },
  ],
};
const spend: SyncedDefinition = { id: 'trt_spend', key: 'spend', kind: 'computed_trait', targets: [{ destinationId: 'dst_a', destinationName: 'A', format: 'identify', connectionId: 'c-a2' }] };
const targets: SpaceSyncTargets = {
  definitions: new Map([
    [buyers.id, buyers],
    [spend.id, spend],
  ]),
  aliasTargets: [{ destinationId: 'dst_b', destinationName: 'B' }],
};

/** What each draft says, in a form a reader can check at a glance. */
function summary(drafts: ReturnType<typeof outboxEntriesForStep>): Array<[string, string | undefined, unknown, unknown]> {
  return drafts.map(({ destinationId, entry }) => {
    const body = JSON.parse(entry.body) as Record<string, unknown>;
    return [destinationId, entry.definitionId, body['type'], body['traits'] ?? body['properties'] ?? body['previousId']];
  });
}

describe('outbox entries of a step', () => {
  it('a changed answer goes to each connected destination, one message per userId and email, with the entry fields', () => {
    const state = profile({ buyers: true });
    const drafts = outboxEntriesForStep(state, [{ type: 'answer.changed', profileId: pid, definitionId: 'aud_buyers', key: 'buyers', value: true }], targets, T0 + 5);
    expect(summary(drafts)).toEqual([
      ['dst_a', 'aud_buyers', 'identify', { buyers: true }],
      ['dst_a', 'aud_buyers', 'identify', { buyers: true, email: 'a@x.test' }],
      ['dst_b', 'aud_buyers', 'track', { audience_key: 'buyers', buyers: true }],
      ['dst_b', 'aud_buyers', 'track', { audience_key: 'buyers', buyers: true }],
    ]);
    expect(drafts[0]!.entry).toEqual({
      messageId: (JSON.parse(drafts[0]!.entry.body) as { messageId: string }).messageId,
      spaceId: 'default',
      destinationId: 'dst_a',
      definitionId: 'aud_buyers',
      connectionId: 'c-a',
      profileId: pid,
      createdAt: T0 + 5,
      body: expect.stringContaining('"type":"identify","userId":"u1"'),
    });
    expect(new Set(drafts.map((d) => d.entry.messageId)).size).toBe(4);
  });

  it('ids are the same when the same step is mapped again, and differ for another version of the profile', () => {
    const effect = { type: 'answer.changed', profileId: pid, definitionId: 'trt_spend', key: 'spend', value: 40 } as const;
    const once = outboxEntriesForStep(profile({ spend: 40 }), [effect], targets, T0).map((d) => d.entry.messageId);
    const again = outboxEntriesForStep(profile({ spend: 40 }), [effect], targets, T0).map((d) => d.entry.messageId);
    const later = outboxEntriesForStep(profile({ spend: 40 }, undefined, 8), [effect], targets, T0).map((d) => d.entry.messageId);
    expect(again).toEqual(once);
    expect(later.filter((messageId) => once.includes(messageId))).toEqual([]);
  });

  it('a definition no destination listens to sends nothing', () => {
    expect(outboxEntriesForStep(profile({ other: true }), [{ type: 'answer.changed', profileId: pid, definitionId: 'aud_other', key: 'other', value: true }], targets, T0)).toEqual([]);
  });

  it('a new identifier gets the current answers the step did not change, and nothing for a non-member', () => {
    const state = profile({ buyers: false, spend: 12 }, [id('user_id', 'u1'), id('email', 'a@x.test'), id('email', 'b@x.test')]);
    const drafts = outboxEntriesForStep(state, [{ type: 'identifiers.added', profileId: pid, identifiers: [{ type: 'email', value: 'b@x.test' }] }], targets, T0);
    expect(summary(drafts)).toEqual([['dst_a', 'trt_spend', 'identify', { spend: 12, email: 'b@x.test' }]]);
    const alsoChanged = outboxEntriesForStep(
      state,
      [
        { type: 'identifiers.added', profileId: pid, identifiers: [{ type: 'email', value: 'b@x.test' }] },
        { type: 'answer.changed', profileId: pid, definitionId: 'trt_spend', key: 'spend', value: 12 },
      ],
      targets,
      T0,
    );
    // The change already goes to every identifier, the new one included: no second copy.
    expect(summary(alsoChanged)).toEqual([
      ['dst_a', 'trt_spend', 'identify', { spend: 12 }],
      ['dst_a', 'trt_spend', 'identify', { spend: 12, email: 'a@x.test' }],
      ['dst_a', 'trt_spend', 'identify', { spend: 12, email: 'b@x.test' }],
    ]);
  });

  it('a merge sends the alias where asked and re-sends memberships to the identifiers it brought', () => {
    const state = profile({ buyers: true }, [id('user_id', 'u1'), id('anonymous_id', 'anon'), id('email', 'c@x.test')]);
    const loser = asProfileId('use_0');
    const drafts = outboxEntriesForStep(state, [{ type: 'profile.merged', profileId: pid, loserId: loser, gained: [{ type: 'anonymous_id', value: 'anon' }, { type: 'email', value: 'c@x.test' }] }], targets, T0);
    expect(summary(drafts)).toEqual([
      ['dst_a', 'aud_buyers', 'identify', { buyers: true, email: 'c@x.test' }],
      ['dst_b', 'aud_buyers', 'track', { audience_key: 'buyers', buyers: true }],
      ['dst_b', undefined, 'alias', loser],
    ]);
    expect(JSON.parse(drafts[2]!.entry.body)).toMatchObject({ type: 'alias', previousId: loser, userId: pid });
  });

  it('a deleted profile exits its member audiences only; a first connection sends members and values', () => {
    expect(summary(exitEntries(profile({ buyers: true, spend: 3 }), targets, T0))).toEqual([
      ['dst_a', 'aud_buyers', 'identify', { buyers: false }],
      ['dst_a', 'aud_buyers', 'identify', { buyers: false, email: 'a@x.test' }],
      ['dst_b', 'aud_buyers', 'track', { audience_key: 'buyers', buyers: false }],
      ['dst_b', 'aud_buyers', 'track', { audience_key: 'buyers', buyers: false }],
    ]);
    expect(exitEntries(profile({ buyers: false }), targets, T0)).toEqual([]);
    expect(summary(connectionEntries(profile({ spend: 3 }, [id('user_id', 'u1')]), spend, spend.targets[0]!, T0))).toEqual([['dst_a', 'trt_spend', 'identify', { spend: 3 }]]);
    expect(connectionEntries(profile({ buyers: false }), buyers, buyers.targets[0]!, T0)).toEqual([]);
    expect(connectionEntries(profile({ spend: null }), spend, spend.targets[0]!, T0)).toEqual([]);
  });
});

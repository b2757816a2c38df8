import { describe, expect, it } from 'vitest';
import { emptyProfile, type ProfileState, type TraitEntry } from '../../../../src/actors/profile-state.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';
import { AnswerRecords } from '../../../../src/runtime/shard/answer-records.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';
import { readStoredProfile } from '../../../../src/store/profile-record.ts';
import { definitionRecord } from '../../../support/definition-record.ts';

const set = compileShardDefinitions(
  [
    definitionRecord({ id: 'aud_1', key: 'buyer', kind: 'audience', query: "event('Order Completed').count() >= 1" }),
    definitionRecord({ id: 'trt_1', key: 'spend', kind: 'computed_trait', query: "event('Order Completed').sum(property('total'))" }),
    definitionRecord({ id: 'trt_2', key: 'gone', kind: 'computed_trait', query: "event('Order Completed').last(property('total'))" }),
  ],
  1,
).forSpace('default').users;

function profile(traits: Record<string, TraitEntry>): ProfileState {
  const origin = { messageId: 'm1', sourceId: 'src', receivedAt: 1 };
  return { ...emptyProfile(asProfileId('use_1'), asSpaceId('default'), origin, 1), traits };
}

const entry = (value: TraitEntry['value'], updatedAt = 10, sourceId = 'default'): TraitEntry => ({ value, updatedAt, sourceId });

describe('stored profile records', () => {
  it('keeps answers apart from the other traits and reads back the same traits, tombstones included', () => {
    const traits = { plan: entry('pro', 5, 'src'), buyer: entry(true), spend: entry(42.5, 11), gone: entry(null, 12) };
    const stored = new AnswerRecords().record(profile(traits), set);
    expect(stored.traits).toEqual({ plan: traits.plan });
    expect(stored.answers).toBeInstanceOf(Uint8Array);
    expect(readStoredProfile(stored).state.traits).toEqual(traits);
  });

  it('reuses the bytes while no answer changed, and rebuilds them when one did', () => {
    const records = new AnswerRecords();
    const buyer = entry(true);
    const spend = entry(1);
    const first = records.record(profile({ buyer, spend }), set);
    expect(records.record(profile({ buyer, spend, plan: entry('pro') }), set).answers).toBe(first.answers);
    const moved = entry(2, 20);
    const changed = records.record(profile({ buyer, spend: moved }), set);
    expect(changed.answers).not.toBe(first.answers);
    expect(readStoredProfile(changed).state.traits).toEqual({ buyer, spend: moved });
  });

  it('writes no answers for a profile that has none, nor for a space without definitions', () => {
    const records = new AnswerRecords();
    expect(records.record(profile({ plan: entry('pro') }), set)).not.toHaveProperty('answers');
    const none = compileShardDefinitions([], 1).forSpace('default').users;
    const stored = records.record(profile({ buyer: entry(true) }), none);
    expect(stored.traits).toEqual({ buyer: entry(true) });
    expect(readStoredProfile(stored).state.traits).toEqual({ buyer: entry(true) });
  });
});

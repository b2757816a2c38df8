import { describe, expect, it } from 'vitest';
import { emptyProfile, type ProfileState, type TraitEntry } from '../../../../src/actors/profile-state.ts';
import { AnswerRows } from '../../../../src/runtime/shard/answer-rows.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';
import { definitionRecord } from '../../../support/definition-record.ts';

const buyer = definitionRecord({ id: 'aud_1', key: 'buyer', kind: 'audience', query: "event('Order Completed').count() >= 1" });
const spend = definitionRecord({ id: 'trt_1', key: 'spend', kind: 'computed_trait', query: "event('Order Completed').sum(property('total'))" });
const plan = definitionRecord({ id: 'trt_2', key: 'plan', kind: 'computed_trait', query: "event('Order Completed').last(property('plan'))" });
const twoDefinitions = compileShardDefinitions([buyer, spend], 1).forSpace('default').users;

const entry = (value: TraitEntry['value'], updatedAt = 10, sourceId = 'default'): TraitEntry => ({ value, updatedAt, sourceId });

function profile(traits: Record<string, TraitEntry>): ProfileState {
  const origin = { messageId: 'm1', sourceId: 'src', receivedAt: 1 };
  return { ...emptyProfile(asProfileId('use_1'), asSpaceId('default'), origin, 1), traits };
}

describe('answer rows', () => {
  it('keeps the answers out of the record, and its absent fields too', () => {
    const traits = { plan: entry('pro', 5, 'src'), buyer: entry(true), spend: entry(42.5, 11) };
    const record = new AnswerRows().record({ ...profile(traits), compute: { layout: 1, slots: [] }, links: undefined }, twoDefinitions);
    expect(record.traits).toEqual({ plan: traits.plan });
    expect(Object.keys(record)).not.toContain('compute');
    expect(Object.keys(record)).not.toContain('links');
    expect(Object.keys(record)).not.toContain('collection');
  });

  it('writes every answer the first time, then only the answers whose entry changed', () => {
    const rows = new AnswerRows();
    const bought = entry(true);
    const first = profile({ buyer: bought, spend: entry(10) });
    expect(rows.writes(undefined, first, twoDefinitions)).toEqual({ puts: [['buyer', bought], ['spend', first.traits.spend]], removes: [] });
    const moved = entry(25, 20);
    const second = profile({ buyer: bought, spend: moved, plan: entry('pro') });
    expect(rows.writes(first, second, twoDefinitions)).toEqual({ puts: [['spend', moved]], removes: [] });
    expect(rows.writes(second, second, twoDefinitions)).toEqual({ puts: [], removes: [] });
    expect(rows.writes(second, profile({ buyer: bought, plan: entry('pro') }), twoDefinitions)).toEqual({ puts: [], removes: ['spend'] });
  });

  it('writes every answer again under new definitions, or once the profile was forgotten', () => {
    const rows = new AnswerRows();
    const userPlan = entry('pro', 5, 'src');
    const state = profile({ buyer: entry(true), plan: userPlan });
    rows.writes(undefined, state, twoDefinitions);
    // `plan` becomes a definition's key: its value leaves the record for a row, though unchanged.
    const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;
    expect(rows.writes(state, state, threeDefinitions).puts.map(([key]) => key)).toEqual(['buyer', 'plan']);
    expect(rows.record(state, threeDefinitions).traits).toEqual({});
    rows.forget(state.id);
    expect(rows.writes(state, state, threeDefinitions).puts).toHaveLength(2);
  });
});

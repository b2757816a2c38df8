import { describe, expect, it } from 'vitest';
import { alignComputeStates, loadedComputeStates, type ComputeStates } from '../../../../src/actors/compute-states.ts';
import { emptyProfile, type TraitEntry } from '../../../../src/actors/profile-state.ts';
import { ownSlots, slotAt, writeSlot } from '../../../../src/compute/chunked-slots.ts';
import type { DefinitionSet } from '../../../../src/compute/definition-set.ts';
import { answerWrites, storedRecord } from '../../../../src/runtime/shard/answer-rows.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';
import { definitionRecord } from '../../../support/definition-record.ts';

const buyer = definitionRecord({ id: 'aud_1', key: 'buyer', kind: 'audience', query: "event('Order Completed').count() >= 1" });
const spend = definitionRecord({ id: 'trt_1', key: 'spend', kind: 'computed_trait', query: "event('Order Completed').sum(property('total'))" });
const plan = definitionRecord({ id: 'trt_2', key: 'plan', kind: 'computed_trait', query: "event('Order Completed').last(property('plan'))" });
const twoDefinitions = compileShardDefinitions([buyer, spend], 1).forSpace('default').users;
const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;

const entry = (value: TraitEntry['value'], updatedAt = 10, sourceId = 'default'): TraitEntry => ({ value, updatedAt, sourceId });

/** A profile's answers by key, laid out for `set` as a step leaves them. */
function answered(set: DefinitionSet, answers: Record<string, TraitEntry>): ComputeStates {
  return alignComputeStates(loadedComputeStates([], Object.entries(answers)), set);
}

/** `compute` with the answers under `changes` replaced (undefined: removed), as a step writes them. */
function moved(compute: ComputeStates, changes: Record<string, TraitEntry | undefined>): ComputeStates {
  const answers = ownSlots(compute.answers);
  for (const [key, value] of Object.entries(changes)) writeSlot(compute.answers, answers, compute.answerRanks.get(key)!, value);
  return { ...compute, answers };
}

describe('answer rows', () => {
  it('writes every answer of a new profile, then only the answers whose entry changed', () => {
    const bought = entry(true);
    const first = answered(twoDefinitions, { buyer: bought, spend: entry(10) });
    expect(answerWrites(undefined, first)).toEqual({ puts: [['buyer', bought], ['spend', slotAt(first.answers, 1)]], removes: [] });
    const spent = entry(25, 20);
    const second = moved(first, { spend: spent });
    expect(answerWrites(first, second)).toEqual({ puts: [['spend', spent]], removes: [] });
    expect(answerWrites(second, second)).toEqual({ puts: [], removes: [] });
    expect(answerWrites(second, moved(second, { spend: undefined }))).toEqual({ puts: [], removes: ['spend'] });
  });

  it('writes nothing for a profile just loaded whose answers the step left as they were', () => {
    const bought = entry(true);
    const loaded = loadedComputeStates([], [['buyer', bought], ['spend', entry(10)]]);
    expect(answerWrites(loaded, alignComputeStates(loaded, twoDefinitions))).toEqual({ puts: [], removes: [] });
    const spent = entry(12, 30);
    expect(answerWrites(loaded, moved(alignComputeStates(loaded, twoDefinitions), { spend: spent }))).toEqual({ puts: [['spend', spent]], removes: [] });
  });

  it('under a set that gained a definition, writes that answer and the ones that moved, not the others again', () => {
    const before = answered(twoDefinitions, { buyer: entry(true), spend: entry(10) });
    const planned = entry('gold', 30);
    const spent = entry(12, 30);
    const after = moved(alignComputeStates(before, threeDefinitions), { spend: spent, plan: planned });
    expect(answerWrites(before, after)).toEqual({ puts: [['spend', spent], ['plan', planned]], removes: [] });
  });

  it("under a set that lost a definition, removes that answer's row (the record keeps it as a custom trait)", () => {
    const before = answered(threeDefinitions, { buyer: entry(true), plan: entry('pro') });
    expect(answerWrites(before, alignComputeStates(before, twoDefinitions))).toEqual({ puts: [], removes: ['plan'] });
  });

  it('keeps the answers and the definition states out of the record, and its absent fields too', () => {
    const traits = { plan: entry('pro', 5, 'src') };
    const origin = { messageId: 'm1', sourceId: 'src', receivedAt: 1 };
    const state = { ...emptyProfile(asProfileId('use_1'), asSpaceId('default'), origin, 1), traits, compute: answered(twoDefinitions, { buyer: entry(true) }), links: undefined };
    const record = storedRecord(state, undefined);
    expect(record.traits).toBe(traits);
    expect(Object.keys(record)).not.toContain('compute');
    expect(Object.keys(record)).not.toContain('links');
    expect(Object.keys(record)).not.toContain('collection');
    expect(Object.keys(record)).not.toContain('computeLag');
    expect(storedRecord(state, { since: 3, count: 1, from: 5 }).computeLag).toEqual({ since: 3, count: 1, from: 5 });
  });
});

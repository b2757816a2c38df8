import { describe, expect, it } from 'vitest';
import { alignComputeStates, answerEntry, computeEntries, definitionStateEntry, loadedComputeStates, movedAnswers, slotState, withSlots, writeDue, writeState } from '../../../../src/actors/compute-states.ts';
import { ownSlots, writeSlot } from '../../../../src/compute/chunked-slots.ts';
import type { EvaluatorState } from '../../../../src/compute/definition-evaluator.ts';
import { computeWrites, isStateOnlyChange } from '../../../../src/runtime/shard/compute-lag.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';
import { definitionRecord } from '../../../support/definition-record.ts';

const buyer = definitionRecord({ id: 'aud_1', key: 'buyer', kind: 'audience', query: "event('Order Completed').within(7 days).count() >= 1" });
const spend = definitionRecord({ id: 'trt_1', key: 'spend', kind: 'computed_trait', query: "event('Order Completed').sum(property('total'))" });
const views = definitionRecord({ id: 'trt_2', key: 'views', kind: 'computed_trait', query: "event('Product Viewed').count()" });
const set = compileShardDefinitions([buyer, spend, views], 1).forSpace('default').users;
// `buyer` re-defined (revision 2), `views` deleted.
const clicks = definitionRecord({ id: 'trt_0', key: 'clicks', kind: 'computed_trait', query: "event('Link Clicked').count()" });
// A definition created: every other one kept as it was.
const grown = compileShardDefinitions([clicks, buyer, spend, views], 3).forSpace('default').users;
const changed = compileShardDefinitions([{ ...buyer, revision: 2 }, spend], 2).forSpace('default').users;

const T0 = Date.UTC(2026, 0, 1);
// A windowed count's state is its list of times (opaque to all but its evaluator, hence the cast).
const bought = [T0] as unknown as EvaluatorState;
const spent = { s: 'summary', acc: { k: 'sum', sum: 20, n: 1 }, pending: [] };
const viewed = { s: 'summary', acc: { k: 'count', n: 3 }, pending: [] };

/** A profile's state rows as LMDB hands them back. */
const rows = [
  definitionStateEntry('aud_1', 1, bought, T0 + 7 * 86_400_000),
  definitionStateEntry('trt_1', 1, spent),
  definitionStateEntry('trt_2', 1, viewed),
];

describe('the definition state rows a commit writes', () => {
  it('writes nothing for a profile just loaded and aligned, whose states no step moved', () => {
    const loaded = loadedComputeStates(rows, []);
    const aligned = alignComputeStates(loaded, set);
    expect(computeEntries(aligned)).toEqual(rows);
    expect(computeWrites(loaded, aligned)).toEqual({ puts: [], removes: [] });
  });

  it("drops a re-defined definition's state and a deleted one's at alignment, and removes their rows", () => {
    const loaded = loadedComputeStates(rows, []);
    const aligned = alignComputeStates(loaded, changed);
    expect(computeEntries(aligned)).toEqual([rows[1]]);
    expect(computeWrites(loaded, aligned)).toEqual({ puts: [], removes: ['aud_1', 'trt_2'] });
  });

  it('under one layout, writes the slots a step moved, the state or the due time, and no other', () => {
    const before = alignComputeStates(loadedComputeStates(rows, []), set);
    const slots = ownSlots(before.slots);
    const more = { s: 'summary', acc: { k: 'sum', sum: 45, n: 2 }, pending: [] };
    writeState(before.slots, slots, set.byId.get('trt_1')!.rank, more);
    writeDue(before.slots, slots, set.byId.get('aud_1')!.rank, T0 + 8 * 86_400_000);
    const after = { ...before, slots };
    const { puts, removes } = computeWrites(before, after);
    expect(removes).toEqual([]);
    expect(puts).toHaveLength(2);
    expect(puts).toEqual(expect.arrayContaining([definitionStateEntry('trt_1', 1, more), definitionStateEntry('aud_1', 1, bought, T0 + 8 * 86_400_000)]));
  });
});

describe('the definition state rows a commit writes across two definition sets', () => {
  /** A profile aligned with `set`, then with `grown` with one state and one due time moved, as a step under `grown` leaves it. */
  function stepped(spend: number): { before: ReturnType<typeof alignComputeStates>; after: ReturnType<typeof alignComputeStates>; more: EvaluatorState } {
    const before = alignComputeStates(loadedComputeStates(rows, []), set);
    const regrown = alignComputeStates(before, grown);
    const slots = ownSlots(regrown.slots);
    const more = { s: 'summary', acc: { k: 'sum', sum: spend, n: 2 }, pending: [] };
    writeState(regrown.slots, slots, grown.byId.get('trt_1')!.rank, more);
    writeDue(regrown.slots, slots, grown.byId.get('aud_1')!.rank, T0 + 9 * 86_400_000);
    return { before, after: { ...regrown, slots }, more };
  }

  it('writes only the entries whose state, due time or revision moved, profile after profile', () => {
    // Twice: the second profile is compared through the positions kept from the first.
    for (const spend of [45, 60]) {
      const { before, after, more } = stepped(spend);
      const { puts, removes } = computeWrites(before, after);
      expect(removes).toEqual([]);
      expect(puts).toHaveLength(2);
      expect(puts).toEqual(expect.arrayContaining([definitionStateEntry('trt_1', 1, more), definitionStateEntry('aud_1', 1, bought, T0 + 9 * 86_400_000)]));
    }
  });

  it('writes nothing when the new set only moved the slots around, and removes what the next set dropped', () => {
    const before = alignComputeStates(loadedComputeStates(rows, []), set);
    const regrown = alignComputeStates(before, grown);
    expect(computeEntries(regrown)).toEqual(expect.arrayContaining(rows));
    expect(computeWrites(before, regrown)).toEqual({ puts: [], removes: [] });
    // Another pair of sets from the same one: each state goes to its own definition's slot.
    const shrunk = alignComputeStates(before, changed);
    expect(computeEntries(shrunk)).toEqual([rows[1]]);
    expect(computeWrites(before, shrunk)).toEqual({ puts: [], removes: ['aud_1', 'trt_2'] });
  });
});

describe('a profile loaded from LMDB, laid out by a definition set', () => {
  const answer = (value: number | boolean) => ({ value, updatedAt: T0, sourceId: 'default' });

  it('finds each state by its id and each answer by its key, in the order the rows come and in a set that ranks them otherwise', () => {
    // Rows come back sorted by id and by key; `grown` ranks `clicks` first, so no position matches.
    const loaded = loadedComputeStates([rows[2]!, rows[0]!, rows[1]!], [['gone', answer(true)], ['spend', answer(20)], ['views', answer(3)]]);
    const aligned = alignComputeStates(loaded, grown);
    const stateOf = (id: string) => slotState(aligned.slots, grown.byId.get(id)!.rank);
    expect(stateOf('aud_1')).toBe(bought);
    expect(stateOf('trt_1')).toBe(spent);
    expect(stateOf('trt_2')).toBe(viewed);
    expect(stateOf('trt_0')).toBeUndefined();
    expect(answerEntry(aligned, 'spend')).toEqual(answer(20));
    expect(answerEntry(aligned, 'views')).toEqual(answer(3));
    expect(answerEntry(aligned, 'clicks')).toBeUndefined();
    // `gone` is no live definition's key: its row goes (the profile keeps it as a custom trait).
    expect(answerEntry(aligned, 'gone')).toBeUndefined();
    expect(movedAnswers(loaded, aligned)).toEqual(['gone']);
    expect(movedAnswers(aligned, loaded)).toEqual(['gone']);
    expect(computeWrites(loaded, aligned)).toEqual({ puts: [], removes: [] });
  });

  it('tells a moved answer from a kept one between the loaded layout and the aligned one', () => {
    const loaded = loadedComputeStates(rows, [['spend', answer(20)], ['views', answer(3)]]);
    const aligned = alignComputeStates(loaded, set);
    expect(movedAnswers(loaded, aligned)).toEqual([]);
    const answers = ownSlots(aligned.answers);
    writeSlot(aligned.answers, answers, set.rankOfKey.get('views')!, answer(4));
    expect(movedAnswers(loaded, withSlots(aligned, aligned.slots, answers))).toEqual(['views']);
  });
});

describe('a step whose definition states may be written behind', () => {
  const before = alignComputeStates(loadedComputeStates(rows, []), set);

  it('is one that only moved the states of existing entries', () => {
    const slots = ownSlots(before.slots);
    writeState(before.slots, slots, set.byId.get('trt_1')!.rank, { s: 'summary', acc: { k: 'sum', sum: 45, n: 2 }, pending: [] });
    expect(isStateOnlyChange(before, { ...before, slots })).toBe(true);
  });

  it('is not one that armed or moved a timer, or created a state, or ran under other definitions', () => {
    const armed = ownSlots(before.slots);
    writeDue(before.slots, armed, set.byId.get('aud_1')!.rank, T0 + 8 * 86_400_000);
    expect(isStateOnlyChange(before, { ...before, slots: armed })).toBe(false);
    const emptied = alignComputeStates(loadedComputeStates(rows.slice(0, 2), []), set);
    const created = ownSlots(emptied.slots);
    writeState(emptied.slots, created, set.byId.get('trt_2')!.rank, viewed);
    expect(isStateOnlyChange(emptied, { ...emptied, slots: created })).toBe(false);
    expect(isStateOnlyChange(before, alignComputeStates(before, changed))).toBe(false);
  });
});

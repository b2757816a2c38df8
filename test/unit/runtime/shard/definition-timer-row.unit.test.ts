import { describe, expect, it } from 'vitest';
import type { ComputeStates, DefinitionStateEntry } from '../../../../src/actors/compute-states.ts';
import { emptySlots, flatSlots, groupedChunkLayout, ownSlots, slotAt, slotsFrom, writeSlot, type ChunkedSlots } from '../../../../src/compute/chunked-slots.ts';
import type { EvaluatorState } from '../../../../src/compute/definition-evaluator.ts';
import { earliestDue, earliestDueAfter } from '../../../../src/runtime/shard/definition-timer-row.ts';
import { seededRandom } from '../../../support/seeded-random.ts';

const state: EvaluatorState = { version: 1, streams: [] };

/** Seventy ranks in chunks of scattered ranks, as a definition set groups them by event. */
const chunks = groupedChunkLayout(Array.from({ length: 70 }, (_, rank) => `event ${rank % 9}`));

/** States laid out as `layout`, with no answers (the earliest due reads the slots alone). */
function states(layout: number, slots: ChunkedSlots<DefinitionStateEntry> | ReadonlyArray<DefinitionStateEntry | undefined>): ComputeStates {
  const chunked = 'chunks' in slots ? slots : flatSlots(slots);
  return { layout, slots: chunked, answers: emptySlots(chunked.layout), answerRanks: new Map(), answerKeys: [] };
}

function slot(id: number, due: number | undefined): DefinitionStateEntry {
  return due === undefined ? { id: `d${id}`, revision: 1, state } : { id: `d${id}`, revision: 1, state, due };
}

describe('a profile’s earliest definition due', () => {
  it('is the smallest due among the armed slots, after a given instant when asked', () => {
    const compute: ComputeStates = states(1, [slot(0, 50), undefined, slot(2, undefined), slot(3, 20), slot(4, 30)]);
    expect(earliestDue(compute)).toBe(20);
    expect(earliestDue(compute, 20)).toBe(30);
    expect(earliestDue(compute, 50)).toBeUndefined();
    expect(earliestDue(undefined)).toBeUndefined();
  });

  it('after a step, read from the replaced slots alone, equals a full scan of the new states', () => {
    const random = seededRandom(6);
    const due = (): number | undefined => (random() < 0.4 ? undefined : Math.floor(random() * 1_000));
    let before: ComputeStates = states(1, slotsFrom(chunks, (i) => (random() < 0.2 ? undefined : slot(i, due()))));
    earliestDue(before);
    for (let step = 0; step < 2_000; step++) {
      const slots = ownSlots(before.slots);
      // A step replaces a few slots (copying their chunks); sometimes the one holding the earliest due.
      const replaced = 1 + Math.floor(random() * 8);
      for (let k = 0; k < replaced; k++) {
        const rank = Math.floor(random() * chunks.length);
        writeSlot(before.slots, slots, rank, random() < 0.1 ? undefined : slot(rank, due()));
      }
      const after: ComputeStates = { ...before, slots };
      const scanned = earliestDue(states(1, slotsFrom(chunks, (rank) => slotAt(slots, rank))));
      expect(earliestDueAfter(before, after)).toBe(scanned);
      expect(earliestDue(after)).toBe(scanned);
      before = after;
    }
  });

  it('scans the new states in full when the old ones were laid out for other definitions', () => {
    const before: ComputeStates = states(1, [slot(0, 10), slot(1, 20)]);
    earliestDue(before);
    const after: ComputeStates = states(2, [slot(1, 20), slot(0, 40)]);
    expect(earliestDueAfter(before, after)).toBe(20);
  });
});

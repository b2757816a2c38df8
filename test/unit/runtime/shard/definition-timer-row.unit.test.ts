import { describe, expect, it } from 'vitest';
import { slotArray, slotDue, writeDue, type ComputeStates } from '../../../../src/actors/compute-states.ts';
import { emptySlots, flatSlots, groupedChunkLayout, ownSlots, type ChunkLayout } from '../../../../src/compute/chunked-slots.ts';
import type { EvaluatorState } from '../../../../src/compute/definition-evaluator.ts';
import { earliestDue, earliestDueAfter } from '../../../../src/runtime/shard/definition-timer-row.ts';
import { seededRandom } from '../../../support/seeded-random.ts';

const state: EvaluatorState = { version: 1, streams: [] };

/** Seventy ranks in chunks of scattered ranks, as a definition set groups them by event. */
const chunks = groupedChunkLayout(Array.from({ length: 70 }, (_, rank) => `event ${rank % 9}`));

/** The ids of a set's ranks, shared by every states object of it (as a set's are). */
const IDS = Array.from({ length: 70 }, (_, rank) => `d${rank}`);
const REVISIONS = IDS.map(() => 1);

/** States laid out as `layout`, each slot due as `dueOf` gives, with no answers (the earliest due reads the dues alone). */
function states(layout: number, chunked: ChunkLayout, dueOf: (rank: number) => number | undefined | null): ComputeStates {
  // `null`: a slot with a state, unarmed; undefined: no entry.
  return {
    layout,
    slots: slotArray(chunked, (rank) => (dueOf(rank) === undefined ? undefined : state), (rank) => dueOf(rank) ?? undefined),
    ids: IDS.slice(0, chunked.length),
    idRanks: undefined,
    revisions: REVISIONS.slice(0, chunked.length),
    answers: emptySlots(chunked),
    answerRanks: new Map(),
    answerKeys: [],
  };
}

/** States of a flat layout from a list of dues (see `states`). */
function listed(layout: number, dues: ReadonlyArray<number | undefined | null>): ComputeStates {
  return states(layout, flatSlots(dues).layout, (rank) => dues[rank]);
}

describe('a profile’s earliest definition due', () => {
  it('is the smallest due among the armed slots, after a given instant when asked', () => {
    const compute: ComputeStates = listed(1, [50, undefined, null, 20, 30]);
    expect(earliestDue(compute)).toBe(20);
    expect(earliestDue(compute, 20)).toBe(30);
    expect(earliestDue(compute, 50)).toBeUndefined();
    expect(earliestDue(undefined)).toBeUndefined();
  });

  it('after a step, read from the replaced slots alone, equals a full scan of the new states', () => {
    const random = seededRandom(6);
    const due = (): number | undefined => (random() < 0.4 ? undefined : Math.floor(random() * 1_000));
    let before: ComputeStates = states(1, chunks, () => due() ?? null);
    earliestDue(before);
    for (let step = 0; step < 2_000; step++) {
      const slots = ownSlots(before.slots);
      // A step re-arms a few slots (copying their chunks); sometimes the one holding the earliest due.
      const replaced = 1 + Math.floor(random() * 8);
      for (let k = 0; k < replaced; k++) writeDue(before.slots, slots, Math.floor(random() * chunks.length), due());
      const after: ComputeStates = { ...before, slots };
      const scanned = earliestDue(states(1, chunks, (rank) => slotDue(slots, rank) ?? null));
      expect(earliestDueAfter(before, after)).toBe(scanned);
      expect(earliestDue(after)).toBe(scanned);
      before = after;
    }
  });

  it('scans the new states in full when the old ones were laid out for other definitions', () => {
    const before: ComputeStates = listed(1, [10, 20]);
    earliestDue(before);
    const after: ComputeStates = listed(2, [20, 40]);
    expect(earliestDueAfter(before, after)).toBe(20);
  });
});

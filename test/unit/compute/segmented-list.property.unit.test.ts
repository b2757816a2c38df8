import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { Reducer, Window } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json } from '../../../src/shared/json.ts';
import { EMPTY_LIST, firstAfter, mergeLists, occurrenceCount, timeAt, withOccurrence, type OccurrenceList } from '../../../src/compute/occurrence-list.ts';
import { sharedFold } from '../../../src/compute/range-fold.ts';
import { reduceOccurrences } from '../../../src/compute/reduce-occurrences.ts';
import {
  EMPTY_SEGMENTED,
  flattenSegmented,
  foldSegment,
  foldSegmented,
  mergeSegmented,
  segmentedCount,
  segmentedDropThrough,
  segmentedTimeAfter,
  segmentedWith,
  type SegmentedList,
} from '../../../src/compute/segmented-list.ts';
import { planStreams, type RootStreamPlan } from '../../../src/compute/stream-plan.ts';
import { aggregate, computedTrait, days, field, stream } from '../../support/ast-builders.ts';

// The segmented list against the one flat list it stands for: the same occurrences in the same
// order, and every reduction over every time range the same as reducing the flat list. Segments
// of 2–4 occurrences here, so a history of a few dozen crosses many of them, splits some with
// late events and drops whole ones behind the window.

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const REDUCERS: readonly Reducer[] = [
  { kind: 'count' },
  { kind: 'sum', field: field('n') },
  { kind: 'avg', field: field('n') },
  { kind: 'min', field: field('n'), as: 'number' },
  { kind: 'max', field: field('c'), as: 'string' },
  { kind: 'mode', field: field('c'), as: 'string', minFrequency: 2 },
  { kind: 'first', field: field('n') },
  { kind: 'last', field: field('n') },
  { kind: 'unique', field: field('c') },
  { kind: 'unique_count', field: field('c') },
];

const WINDOW: Window = { kind: 'within', duration: days(2) };

function planFor(reducer: Reducer): RootStreamPlan {
  const plan = planStreams(computedTrait(aggregate(stream('A', { window: WINDOW }), reducer)).root).roots[0]!;
  expect(plan.segmented).toBe(true);
  return plan;
}

/** An event of name A: its hour in a 6-day span, a few ms apart within it, values sometimes absent. */
const eventArb = fc.record({
  hour: fc.integer({ min: 0, max: 6 * 24 }),
  nudge: fc.integer({ min: 0, max: 2 }),
  n: fc.option(fc.integer({ min: -5, max: 20 }), { nil: undefined }),
  c: fc.option(fc.constantFrom('x', 'y', 'z', 'yy'), { nil: undefined }),
  id: fc.integer({ min: 0, max: 10_000 }),
});

type Step = { kind: 'add'; event: TrackedEvent } | { kind: 'prune'; at: number } | { kind: 'roundTrip' };

const stepsArb = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: eventArb.map((e): Step => ({ kind: 'add', event: toEvent(e) })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 * 24 }).map((h): Step => ({ kind: 'prune', at: T0 + h * HOUR })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'roundTrip' }) },
  ),
  { maxLength: 80 },
);

function toEvent(e: { hour: number; nudge: number; n: number | undefined; c: string | undefined; id: number }): TrackedEvent {
  const properties: Record<string, Json> = {};
  if (e.n !== undefined) properties['n'] = e.n;
  if (e.c !== undefined) properties['c'] = e.c;
  const timestamp = T0 + e.hour * HOUR + e.nudge;
  return { type: 'track', event: 'A', messageId: `m${e.id}`, sourceId: 'src', userId: 'u', properties, timestamp, receivedAt: timestamp };
}

/** Drops the flat list's occurrences at or before `dead` (what pruning keeps is a superset: whole segments only). */
function aliveAfter(plan: RootStreamPlan, occ: OccurrenceList, dead: number): OccurrenceList {
  return occ.slice(firstAfter(occ, plan, dead) * plan.stride);
}

function checkInvariants(plan: RootStreamPlan, list: SegmentedList, size: number): void {
  expect(list.segs).toHaveLength(list.accs.length);
  list.segs.forEach((seg, i) => {
    expect(occurrenceCount(seg, plan)).toBeGreaterThan(0);
    expect(occurrenceCount(seg, plan)).toBeLessThanOrEqual(2 * size);
    expect(list.accs[i]).toEqual(foldSegment(plan, seg));
  });
}

/** Every range `(from, to]` over instants around the occurrences, segmented against flat. */
function checkRanges(plan: RootStreamPlan, list: SegmentedList, flat: OccurrenceList): void {
  const times = [T0 - 1, ...Array.from({ length: occurrenceCount(flat, plan) }, (_, i) => timeAt(flat, plan, i))];
  const instants = [...new Set(times.flatMap((t) => [t - 1, t, t + 1]))].sort((a, b) => a - b);
  for (let i = 0; i < instants.length; i += 3) {
    const from = instants[i]!;
    expect(segmentedTimeAfter(plan, list, from)).toBe(firstAfter(flat, plan, from) < occurrenceCount(flat, plan) ? timeAt(flat, plan, firstAfter(flat, plan, from)) : undefined);
    for (let j = i; j < instants.length; j += 5) {
      const to = instants[j]!;
      const lo = firstAfter(flat, plan, from);
      const hi = Math.max(lo, firstAfter(flat, plan, to));
      const fold = sharedFold(plan.reducer);
      foldSegmented(plan, list, from, to, fold);
      const segmented = fold.result();
      expect(segmented).toEqual(reduceOccurrences(plan.reducer, flat, plan, lo, hi, plan.reducerField));
      expect(segmentedCount(plan, list, from, to)).toBe(hi - lo);
    }
  }
}

describe('segmented window lists', () => {
  for (const reducer of REDUCERS) {
    it(`keep the flat list's occurrences and reduce every range as it does: ${reducer.kind}${'as' in reducer ? ` as ${reducer.as}` : ''}`, () => {
      const plan = planFor(reducer);
      fc.assert(
        fc.property(stepsArb, stepsArb, fc.integer({ min: 1, max: 4 }), (steps, other, size) => {
          const run = (input: Step[]): { list: SegmentedList; flat: OccurrenceList } => {
            let list: SegmentedList = EMPTY_SEGMENTED;
            let flat: OccurrenceList = EMPTY_LIST;
            for (const step of input) {
              if (step.kind === 'add') {
                list = segmentedWith(plan, list, step.event, size);
                flat = withOccurrence(flat, plan, step.event);
              } else if (step.kind === 'prune') {
                const before = list;
                list = segmentedDropThrough(plan, list, step.at);
                // Only whole segments at or before the instant go; what stays is the flat list from a segment's start.
                expect(flattenSegmented(list)).toEqual(flat.slice(flat.length - flattenSegmented(list).length));
                expect(aliveAfter(plan, flattenSegmented(list), step.at)).toEqual(aliveAfter(plan, flat, step.at));
                flat = flattenSegmented(list);
                if (list.segs.length === before.segs.length) expect(list).toBe(before);
              } else {
                list = unpack(pack(list)) as SegmentedList;
              }
              checkInvariants(plan, list, size);
              expect(flattenSegmented(list)).toEqual(flat);
            }
            return { list, flat };
          };
          const a = run(steps);
          checkRanges(plan, a.list, a.flat);
          const b = run(other);
          const merged = mergeSegmented(plan, a.list, b.list, size);
          checkInvariants(plan, merged, size);
          const mergedFlat = mergeLists(a.flat, b.flat, plan);
          expect(flattenSegmented(merged)).toEqual(mergedFlat);
          checkRanges(plan, merged, mergedFlat);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('appends in time order by starting a new segment when the last is full, copying no other', () => {
    const plan = planFor({ kind: 'sum', field: field('n') });
    let list: SegmentedList = EMPTY_SEGMENTED;
    for (let i = 0; i < 7; i++) list = segmentedWith(plan, list, toEvent({ hour: i, nudge: 0, n: i, c: undefined, id: i }), 3);
    expect(list.segs.map((seg) => occurrenceCount(seg, plan))).toEqual([3, 3, 1]);
    expect(list.accs).toEqual([
      { k: 'sum', sum: 3, n: 3 },
      { k: 'sum', sum: 12, n: 3 },
      { k: 'sum', sum: 6, n: 1 },
    ]);
    const next = segmentedWith(plan, list, toEvent({ hour: 7, nudge: 0, n: 7, c: undefined, id: 7 }), 3);
    expect(next.segs[0]).toBe(list.segs[0]);
    expect(next.segs[1]).toBe(list.segs[1]);
    // A late event joins the segment its time falls in; one past twice the size splits it.
    const late = [1, 1, 1, 1].reduce((acc, _, i) => segmentedWith(plan, acc, toEvent({ hour: 4, nudge: 1, n: 100, c: undefined, id: 100 + i }), 3), next);
    expect(late.segs.map((seg) => occurrenceCount(seg, plan))).toEqual([3, 3, 4, 2]);
    const times = (seg: OccurrenceList): number[] => seg.filter((_, i) => i % plan.stride === 0) as number[];
    expect(times(late.segs[1]!)).toEqual([T0 + 3 * HOUR, T0 + 4 * HOUR, T0 + 4 * HOUR + 1]);
    expect(times(late.segs[2]!)).toEqual([T0 + 4 * HOUR + 1, T0 + 4 * HOUR + 1, T0 + 4 * HOUR + 1, T0 + 5 * HOUR]);
    expect(late.accs[2]).toEqual({ k: 'sum', sum: 305, n: 4 });
  });
});

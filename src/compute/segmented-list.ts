import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, emptyAccumulator, type Accumulator } from './accumulator.ts';
import { compareAt, dropThrough, EMPTY_LIST, firstAfter, mergeLists, messageIdAt, occurrenceCount, timeAt, withOccurrence, type ListLayout, type OccurrenceList } from './occurrence-list.ts';
import type { RangeFold } from './range-fold.ts';
import type { StreamPlan } from './stream-plan.ts';
import { readField } from './occurrence.ts';

/**
 * A windowed stream's occurrences in time-ordered segments of flat lists, each with its reducer's
 * accumulator over the segment (design.md: "sums and averages keep windowed partial aggregates").
 *
 * Why: as one flat list, every event copied the whole list to insert its occurrence and every
 * evaluation reduced the whole window again, so a profile with 96 events a day of one name spent
 * ~1 ms per event on a 90-day window. In segments an insert copies one segment and the short
 * outer arrays, and a reduction scans only the two segments the window's edges cut, taking the
 * whole segments between through their accumulators: O(SEGMENT + n / SEGMENT) instead of O(n).
 * Segments that fall wholly behind the window are dropped; the first one may keep a dead prefix
 * (at most a segment), which reductions skip by time, so pruning never rewrites a segment.
 */
export interface SegmentedList {
  readonly s: 'seg';
  /** Non-empty flat lists (`occurrence-list.ts` layout), in (time, messageId) order across them. */
  readonly segs: readonly OccurrenceList[];
  /** `accs[i]` folds every occurrence of `segs[i]` (its dead prefix too). */
  readonly accs: readonly Accumulator[];
}

/** Occurrences a segment fills to before a newer one starts; an insert into a segment past twice this splits it. */
export const SEGMENT_SIZE = 64;

export const EMPTY_SEGMENTED: SegmentedList = { s: 'seg', segs: [], accs: [] };

/**
 * A windowed stream's occurrences: one flat list while they fit in two segments, segments beyond.
 * Most profiles hold a handful of occurrences per window, and for them one list is cheapest (one
 * array per insert where segments take five, each outliving the step and costing the collector);
 * the segments are for the heavy ones, whose lists grow past what a copy per event can afford.
 */
export type WindowList = OccurrenceList | SegmentedList;

export function isSegmented(state: object): state is SegmentedList {
  // `Array.isArray` first: reading `s` off an array is a miss down its prototype chain.
  return !Array.isArray(state) && (state as { s?: unknown }).s === 'seg';
}

/** The window with the event's occurrence inserted; a flat list that outgrows two segments is cut into them. */
export function windowWith(plan: StreamPlan, list: WindowList, event: TrackedEvent, size = SEGMENT_SIZE): WindowList {
  if (isSegmented(list)) return segmentedWith(plan, list, event, size);
  const flat = withOccurrence(list, plan, event);
  return occurrenceCount(flat, plan) > 2 * size ? segmentedFromList(plan, flat, size) : flat;
}

/**
 * Drops the occurrences at or before `dead` (a flat list all of them, segments whole ones); the
 * same list when none is. Segments down to one become its flat list (no copy).
 */
export function windowDropThrough(layout: ListLayout, list: WindowList, dead: number): WindowList {
  if (!isSegmented(list)) return dropThrough(list, layout, dead);
  const kept = segmentedDropThrough(layout, list, dead);
  return kept.segs.length <= 1 ? (kept.segs[0] ?? EMPTY_LIST) : kept;
}

/** Two windows merged in (time, messageId) order (merges are rare: a whole copy is fine). */
export function mergeWindows(plan: StreamPlan, a: WindowList, b: WindowList, size = SEGMENT_SIZE): WindowList {
  const merged = mergeLists(isSegmented(a) ? flattenSegmented(a) : a, isSegmented(b) ? flattenSegmented(b) : b, plan);
  return occurrenceCount(merged, plan) > 2 * size ? segmentedFromList(plan, merged, size) : merged;
}

/**
 * The list with the event's occurrence inserted in order; copies the segment it joins. (`size` is
 * `SEGMENT_SIZE` but for tests, which make segments small to exercise many.)
 */
export function segmentedWith(plan: StreamPlan, list: SegmentedList, event: TrackedEvent, size = SEGMENT_SIZE): SegmentedList {
  const { segs, accs } = list;
  const t = event.timestamp;
  const m = plan.keepsMessageId ? event.messageId : '';
  const value = plan.reducerField === undefined ? undefined : (readField(event, plan.fields[plan.reducerField]!) ?? null);
  if (segs.length === 0) return { s: 'seg', segs: [withOccurrence(EMPTY_LIST, plan, event)], accs: [accumulate(plan.reducer, emptyAccumulator(plan.reducer), value, t, m)] };
  const target = segmentFor(plan, segs, t, m);
  const joined = segs[target]!;
  const last = segs.length - 1;
  // Appending to a full last segment starts the next one.
  if (target === last && occurrenceCount(joined, plan) >= size && compareAt(joined, plan, occurrenceCount(joined, plan) - 1, t, m) <= 0) {
    const fresh = withOccurrence(EMPTY_LIST, plan, event);
    return { s: 'seg', segs: [...segs, fresh], accs: [...accs, accumulate(plan.reducer, emptyAccumulator(plan.reducer), value, t, m)] };
  }
  const inserted = withOccurrence(joined, plan, event);
  const nextSegs = segs.slice();
  const nextAccs = accs.slice();
  if (occurrenceCount(inserted, plan) > 2 * size) {
    // A segment grown by late events splits in two, so no insert copies more than 2 × size.
    const half = Math.floor(occurrenceCount(inserted, plan) / 2) * plan.stride;
    const front = inserted.slice(0, half);
    const back = inserted.slice(half);
    nextSegs.splice(target, 1, front, back);
    nextAccs.splice(target, 1, foldSegment(plan, front), foldSegment(plan, back));
  } else {
    nextSegs[target] = inserted;
    nextAccs[target] = accumulate(plan.reducer, accs[target]!, value, t, m);
  }
  return { s: 'seg', segs: nextSegs, accs: nextAccs };
}

/** Drops the segments wholly at or before `dead`; the same list when none is. */
export function segmentedDropThrough(layout: ListLayout, list: SegmentedList, dead: number): SegmentedList {
  const { segs } = list;
  let keep = 0;
  while (keep < segs.length && lastTime(layout, segs[keep]!) <= dead) keep++;
  if (keep === 0) return list;
  return { s: 'seg', segs: segs.slice(keep), accs: list.accs.slice(keep) };
}

/** The time of the first occurrence after `at`; undefined when none is. */
export function segmentedTimeAfter(layout: ListLayout, list: SegmentedList, at: number): number | undefined {
  const seg = segmentAfter(layout, list.segs, at);
  if (seg === list.segs.length) return undefined;
  const occ = list.segs[seg]!;
  return timeAt(occ, layout, firstAfter(occ, layout, at));
}

/** How many occurrences have `from < t <= to`. */
export function segmentedCount(layout: ListLayout, list: SegmentedList, from: number, to: number): number {
  let n = 0;
  const { segs } = list;
  for (let seg = segmentAfter(layout, segs, from); seg < segs.length; seg++) {
    const occ = segs[seg]!;
    const lo = firstAfter(occ, layout, from);
    const hi = firstAfter(occ, layout, to);
    n += hi - lo;
    if (hi < occurrenceCount(occ, layout)) break;
  }
  return n;
}

/**
 * Folds the occurrences with `from < t <= to` into `fold`: the segments the bounds cut occurrence
 * by occurrence, the ones wholly between through their accumulators.
 */
export function foldSegmented(plan: StreamPlan, list: SegmentedList, from: number, to: number, fold: RangeFold): void {
  const { segs, accs } = list;
  for (let seg = segmentAfter(plan, segs, from); seg < segs.length; seg++) {
    const occ = segs[seg]!;
    const count = occurrenceCount(occ, plan);
    const lo = timeAt(occ, plan, 0) > from ? 0 : firstAfter(occ, plan, from);
    const hi = lastTime(plan, occ) <= to ? count : firstAfter(occ, plan, to);
    if (lo === 0 && hi === count) fold.addSummary(accs[seg]!);
    else fold.addRange(occ, plan, lo, hi, plan.reducerField);
    if (hi < count) return;
  }
}

/** Every occurrence as one flat list. */
export function flattenSegmented(list: SegmentedList): OccurrenceList {
  if (list.segs.length <= 1) return list.segs[0] ?? EMPTY_LIST;
  return list.segs.flat();
}

/** A flat list (sorted) cut into full segments. */
export function segmentedFromList(plan: StreamPlan, occ: OccurrenceList, size = SEGMENT_SIZE): SegmentedList {
  if (occ.length === 0) return EMPTY_SEGMENTED;
  const slots = size * plan.stride;
  const segs: OccurrenceList[] = [];
  for (let at = 0; at < occ.length; at += slots) segs.push(at === 0 && occ.length <= slots ? occ : occ.slice(at, at + slots));
  return { s: 'seg', segs, accs: segs.map((seg) => foldSegment(plan, seg)) };
}

/** Two lists merged in (time, messageId) order, cut afresh (merges are rare: a whole copy is fine). */
export function mergeSegmented(plan: StreamPlan, a: SegmentedList, b: SegmentedList, size = SEGMENT_SIZE): SegmentedList {
  if (b.segs.length === 0) return a;
  if (a.segs.length === 0) return b;
  return segmentedFromList(plan, mergeLists(flattenSegmented(a), flattenSegmented(b), plan), size);
}

/** The segment an occurrence (t, m) joins: the last whose first occurrence sorts at or before it (the first when none does). */
function segmentFor(layout: ListLayout, segs: readonly OccurrenceList[], t: number, m: string): number {
  // Most events arrive in time order: they join the last segment.
  const last = segs.length - 1;
  if (compareAt(segs[last]!, layout, 0, t, m) <= 0) return last;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (compareAt(segs[mid]!, layout, 0, t, m) > 0) hi = mid - 1;
    else lo = mid;
  }
  return lo;
}

/** The first segment holding an occurrence after `at` (`segs.length` when none does). */
function segmentAfter(layout: ListLayout, segs: readonly OccurrenceList[], at: number): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lastTime(layout, segs[mid]!) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lastTime(layout: ListLayout, occ: OccurrenceList): number {
  return occ[occ.length - layout.stride] as number;
}

/** The accumulator of every occurrence of a segment. */
export function foldSegment(plan: StreamPlan, occ: OccurrenceList): Accumulator {
  let acc = emptyAccumulator(plan.reducer);
  for (let i = 0; i < occurrenceCount(occ, plan); i++) acc = accumulate(plan.reducer, acc, valueAt(plan, occ, i), timeAt(occ, plan, i), messageIdAt(occ, plan, i));
  return acc;
}

function valueAt(plan: StreamPlan, occ: OccurrenceList, index: number): Json | undefined {
  return plan.reducerField === undefined ? undefined : occ[index * plan.stride + plan.fieldOffset + plan.reducerField];
}

import type { Reducer } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { accumulatorResult, bestCandidate } from './accumulator.ts';
import type { ListLayout, OccurrenceList } from './occurrence-list.ts';
import { compareCodePoints, identityKey } from './values.ts';

/** Whether the kept occurrence at an index passes a stream's dynamic filters. */
export type KeepOccurrence = (index: number) => boolean;

/**
 * Reduces occurrences `lo..hi` of a flat list (sorted by time) with the reducer, reading its field
 * `field`, without building an accumulator per occurrence: this runs on every evaluation of a
 * windowed stream. `keep` (when given) filters occurrences. Same answers as folding
 * `accumulate` (accumulator.ts), which the merge and summary paths use.
 */
export function reduceOccurrences(
  reducer: Reducer,
  list: OccurrenceList,
  layout: ListLayout,
  lo: number,
  hi: number,
  field: number | undefined,
  keep?: KeepOccurrence,
): Json | undefined {
  const { stride } = layout;
  // The slot of the reducer's field in occurrence 0 (the others are `stride` apart).
  const slot = field === undefined ? -1 : layout.fieldOffset + field;
  switch (reducer.kind) {
    case 'count': {
      if (keep === undefined) return Math.max(0, hi - lo);
      let n = 0;
      for (let i = lo; i < hi; i++) if (keep(i)) n++;
      return n;
    }
    case 'sum':
    case 'avg': {
      let sum = 0;
      let n = 0;
      for (let i = lo; i < hi; i++) {
        if (keep !== undefined && !keep(i)) continue;
        const value = slot < 0 ? undefined : list[i * stride + slot];
        if (typeof value === 'number' && Number.isFinite(value)) {
          sum += value;
          n++;
        }
      }
      if (n === 0) return undefined;
      return reducer.kind === 'avg' ? sum / n : sum;
    }
    case 'first':
    case 'last':
      return firstPresent(list, stride, slot, lo, hi, keep, reducer.kind === 'last');
    case 'min':
    case 'max': {
      const sign = reducer.kind === 'min' ? -1 : 1;
      let best: number | string | undefined;
      for (let i = lo; i < hi; i++) {
        if (keep !== undefined && !keep(i)) continue;
        const candidate = bestCandidate(reducer.as, slot < 0 ? undefined : list[i * stride + slot]);
        if (candidate === undefined) continue;
        if (best === undefined || outranks(candidate, best, sign)) best = candidate;
      }
      return best;
    }
    case 'mode':
    case 'unique':
    case 'unique_count':
      return countsOverRange(reducer, list, stride, slot, lo, hi, keep);
  }
}

function countsOverRange(reducer: Reducer, list: OccurrenceList, stride: number, slot: number, lo: number, hi: number, keep: KeepOccurrence | undefined): Json | undefined {
  const counts = new Map<string, number>();
  countValuesInto(counts, list, stride, slot, lo, hi, keep);
  if (reducer.kind === 'unique_count') return counts.size;
  // Rare enough per evaluation to go through the shared result rules (ordering, ties).
  return accumulatorResult(reducer, { k: 'counts', counts: Object.fromEntries(counts) });
}

/** Whether a `min` (sign -1) or `max` (sign 1) candidate beats the best so far: numbers by value, text by code points. */
export function outranks(candidate: number | string, best: number | string, sign: 1 | -1): boolean {
  if (typeof candidate === 'number' && typeof best === 'number') return (candidate - best) * sign > 0;
  return compareCodePoints(String(candidate), String(best)) * sign > 0;
}

/**
 * The value at `slot` of the first occurrence of `lo..hi` (the last, `fromBack`) that passes `keep`
 * and has one; occurrences are sorted by (t, m), so this is `first`'s (`last`'s) pick. `keep` is
 * called only until the pick is found.
 */
export function firstPresent(list: OccurrenceList, stride: number, slot: number, lo: number, hi: number, keep: KeepOccurrence | undefined, fromBack: boolean): Json | undefined {
  const step = fromBack ? -1 : 1;
  for (let i = fromBack ? hi - 1 : lo; i >= lo && i < hi; i += step) {
    if (keep !== undefined && !keep(i)) continue;
    const value = slot < 0 ? undefined : list[i * stride + slot];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** Adds to `counts` each present value at `slot` of occurrences `lo..hi` that pass `keep`, by identity. */
export function countValuesInto(counts: Map<string, number>, list: OccurrenceList, stride: number, slot: number, lo: number, hi: number, keep: KeepOccurrence | undefined): void {
  for (let i = lo; i < hi; i++) {
    if (keep !== undefined && !keep(i)) continue;
    const value = slot < 0 ? undefined : list[i * stride + slot];
    if (value === undefined || value === null) continue;
    const key = identityKey(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
}

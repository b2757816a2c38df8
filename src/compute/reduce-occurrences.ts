import type { Reducer } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { accumulatorResult, bestCandidate } from './accumulator.ts';
import { compareCodePoints, identityKey } from './values.ts';
import type { Occurrence } from './stream-state.ts';

/**
 * Reduces `list[lo..hi)` (kept occurrences, sorted by time) with the reducer, reading its field
 * at `field`, without building an accumulator per occurrence: this runs on every evaluation of a
 * windowed stream. `keep` (when given) filters occurrences. Same answers as folding
 * `accumulate` (accumulator.ts), which the merge and summary paths use.
 */
export function reduceOccurrences(
  reducer: Reducer,
  list: readonly Occurrence[],
  lo: number,
  hi: number,
  field: number | undefined,
  keep?: (occurrence: Occurrence) => boolean,
): Json | undefined {
  switch (reducer.kind) {
    case 'count': {
      if (keep === undefined) return Math.max(0, hi - lo);
      let n = 0;
      for (let i = lo; i < hi; i++) if (keep(list[i]!)) n++;
      return n;
    }
    case 'sum':
    case 'avg': {
      let sum = 0;
      let n = 0;
      for (let i = lo; i < hi; i++) {
        const occurrence = list[i]!;
        if (keep !== undefined && !keep(occurrence)) continue;
        const value = field === undefined ? undefined : occurrence.v[field];
        if (typeof value === 'number' && Number.isFinite(value)) {
          sum += value;
          n++;
        }
      }
      if (n === 0) return undefined;
      return reducer.kind === 'avg' ? sum / n : sum;
    }
    case 'first':
    case 'last': {
      // Sorted by (t, m): the first present value from the front, or from the back.
      const step = reducer.kind === 'first' ? 1 : -1;
      for (let i = reducer.kind === 'first' ? lo : hi - 1; i >= lo && i < hi; i += step) {
        const occurrence = list[i]!;
        if (keep !== undefined && !keep(occurrence)) continue;
        const value = field === undefined ? undefined : occurrence.v[field];
        if (value !== undefined && value !== null) return value;
      }
      return undefined;
    }
    case 'min':
    case 'max': {
      const sign = reducer.kind === 'min' ? -1 : 1;
      let best: number | string | undefined;
      for (let i = lo; i < hi; i++) {
        const occurrence = list[i]!;
        if (keep !== undefined && !keep(occurrence)) continue;
        const candidate = bestCandidate(reducer.as, field === undefined ? undefined : occurrence.v[field]);
        if (candidate === undefined) continue;
        if (best === undefined) best = candidate;
        else if (typeof candidate === 'number' && typeof best === 'number') {
          if ((candidate - best) * sign > 0) best = candidate;
        } else if (compareCodePoints(String(candidate), String(best)) * sign > 0) best = candidate;
      }
      return best;
    }
    case 'mode':
    case 'unique':
    case 'unique_count':
      return countsOverRange(reducer, list, lo, hi, field, keep);
  }
}

function countsOverRange(
  reducer: Reducer,
  list: readonly Occurrence[],
  lo: number,
  hi: number,
  field: number | undefined,
  keep: ((occurrence: Occurrence) => boolean) | undefined,
): Json | undefined {
  const counts = new Map<string, number>();
  for (let i = lo; i < hi; i++) {
    const occurrence = list[i]!;
    if (keep !== undefined && !keep(occurrence)) continue;
    const value = field === undefined ? undefined : occurrence.v[field];
    if (value === undefined || value === null) continue;
    const key = identityKey(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (reducer.kind === 'unique_count') return counts.size;
  // Rare enough per evaluation to go through the shared result rules (ordering, ties).
  return accumulatorResult(reducer, { k: 'counts', counts: Object.fromEntries(counts) });
}

/** Index of the first occurrence with `t > at` in a list sorted by t. */
export function firstAfter(list: readonly Occurrence[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

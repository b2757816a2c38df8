import type { Reducer } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { compareCodePoints, identityKey, isAbsent, textForm, valueOfIdentityKey } from './values.ts';

/**
 * A reducer's running summary of the occurrences folded so far: plain data, mergeable, and as
 * small as the reducer's answer needs (a counter for `count`, a sum and count for `avg`, the best
 * value for `min`/`max`, value counts for `mode`/`unique`, one pick for `first`/`last`).
 */
export type Accumulator =
  | { readonly k: 'count'; readonly n: number }
  | { readonly k: 'sum'; readonly sum: number; readonly n: number }
  | { readonly k: 'best'; readonly best?: number | string }
  | { readonly k: 'counts'; readonly counts: Readonly<Record<string, number>> }
  | { readonly k: 'pick'; readonly t?: number; readonly m?: string; readonly v?: Json };

export function emptyAccumulator(reducer: Reducer): Accumulator {
  switch (reducer.kind) {
    case 'count':
      return { k: 'count', n: 0 };
    case 'sum':
    case 'avg':
      return { k: 'sum', sum: 0, n: 0 };
    case 'min':
    case 'max':
      return { k: 'best' };
    case 'mode':
    case 'unique':
    case 'unique_count':
      return { k: 'counts', counts: {} };
    case 'first':
    case 'last':
      return { k: 'pick' };
  }
}

/**
 * The accumulator with one more occurrence (its reducer field's value, its time and messageId);
 * the same object when it contributes nothing.
 */
export function accumulate(reducer: Reducer, acc: Accumulator, value: Json | undefined, t: number, m: string): Accumulator {
  switch (acc.k) {
    case 'count':
      return { k: 'count', n: acc.n + 1 };
    case 'sum':
      return typeof value === 'number' && Number.isFinite(value) ? { k: 'sum', sum: acc.sum + value, n: acc.n + 1 } : acc;
    case 'best': {
      const candidate = reducer.kind === 'min' || reducer.kind === 'max' ? bestCandidate(reducer.as, value) : undefined;
      return candidate === undefined || !beats(reducer, candidate, acc.best) ? acc : { k: 'best', best: candidate };
    }
    case 'counts': {
      if (isAbsent(value)) return acc;
      const key = identityKey(value);
      return { k: 'counts', counts: { ...acc.counts, [key]: (Object.hasOwn(acc.counts, key) ? (acc.counts[key] ?? 0) : 0) + 1 } };
    }
    case 'pick':
      if (isAbsent(value)) return acc;
      return acc.t === undefined || picks(reducer, t, m, acc.t, acc.m ?? '') ? { k: 'pick', t, m, v: value } : acc;
  }
}

export function mergeAccumulators(reducer: Reducer, a: Accumulator, b: Accumulator): Accumulator {
  if (a.k === 'count' && b.k === 'count') return { k: 'count', n: a.n + b.n };
  if (a.k === 'sum' && b.k === 'sum') return { k: 'sum', sum: a.sum + b.sum, n: a.n + b.n };
  if (a.k === 'best' && b.k === 'best') return b.best === undefined || !beats(reducer, b.best, a.best) ? a : b;
  if (a.k === 'counts' && b.k === 'counts') {
    const counts: Record<string, number> = { ...a.counts };
    for (const [key, n] of Object.entries(b.counts)) counts[key] = (Object.hasOwn(counts, key) ? (counts[key] ?? 0) : 0) + n;
    return { k: 'counts', counts };
  }
  if (a.k === 'pick' && b.k === 'pick') {
    if (b.t === undefined) return a;
    if (a.t === undefined) return b;
    return picks(reducer, b.t, b.m ?? '', a.t, a.m ?? '') ? b : a;
  }
  throw new Error(`cannot merge accumulators of kinds ${a.k} and ${b.k}`);
}

/** The reducer's answer; undefined is absent (SEMANTICS.md: empty streams give absent, counts 0). */
export function accumulatorResult(reducer: Reducer, acc: Accumulator): Json | undefined {
  switch (acc.k) {
    case 'count':
      return acc.n;
    case 'sum':
      if (acc.n === 0) return undefined;
      return reducer.kind === 'avg' ? acc.sum / acc.n : acc.sum;
    case 'best':
      return acc.best;
    case 'counts':
      return countsResult(reducer, acc.counts);
    case 'pick':
      return acc.v;
  }
}

function countsResult(reducer: Reducer, counts: Readonly<Record<string, number>>): Json | undefined {
  const keys = Object.keys(counts);
  if (reducer.kind === 'unique_count') return keys.length;
  if (reducer.kind === 'unique') {
    if (keys.length === 0) return undefined;
    return keys.map(valueOfIdentityKey).sort(compareForList);
  }
  if (reducer.kind !== 'mode') return undefined;
  let winner: Json | undefined;
  let winnerCount = 0;
  for (const key of keys) {
    const n = counts[key] ?? 0;
    if (n < reducer.minFrequency) continue;
    const value = valueOfIdentityKey(key);
    if (winner === undefined || n > winnerCount || (n === winnerCount && compareForList(value, winner) < 0)) {
      winner = value;
      winnerCount = n;
    }
  }
  return winner;
}

/** `unique` lists and `mode` ties: by text form in code points, then by JSON type name. */
export function compareForList(a: Json, b: Json): number {
  const byText = compareCodePoints(textForm(a), textForm(b));
  if (byText !== 0) return byText;
  return compareCodePoints(jsonTypeName(a), jsonTypeName(b));
}

function jsonTypeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** What `min`/`max` compare: a finite number (`as number`), or the text form of a scalar (`as string`). */
export function bestCandidate(as: 'number' | 'string', value: Json | undefined): number | string | undefined {
  if (as === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return textForm(value);
  return undefined;
}

function beats(reducer: Reducer, candidate: number | string, current: number | string | undefined): boolean {
  if (current === undefined) return true;
  const order = typeof candidate === 'number' && typeof current === 'number' ? candidate - current : compareCodePoints(String(candidate), String(current));
  return reducer.kind === 'min' ? order < 0 : order > 0;
}

/** Whether occurrence (t, m) replaces the current pick (tm, mm): earlier for `first`, later for `last`. */
function picks(reducer: Reducer, t: number, m: string, tm: number, mm: string): boolean {
  const order = t !== tm ? t - tm : compareCodePoints(m, mm);
  return reducer.kind === 'first' ? order < 0 : order > 0;
}

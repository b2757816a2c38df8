import type { Reducer } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { readField } from './event-fields.ts';
import { type Present, type Value, compareByTextThenType, compareCodePoints, identical, textForm } from './values.ts';

/**
 * A stream's reducer over the occurrences that passed its filters (SEMANTICS.md, "Reducers").
 * `occurrences` must be in occurrence order (`compareOccurrences`); `first`, `last` and the
 * representative of a group of identical values depend on it.
 */
export function reduce(reducer: Reducer, occurrences: readonly TrackedEvent[]): Value {
  if (reducer.kind === 'count') return occurrences.length;
  const values = occurrences.map((e) => readField(e, reducer.field)).filter((v): v is Present => v !== undefined);
  switch (reducer.kind) {
    case 'unique_count':
      return groups(values).length;
    case 'sum':
    case 'avg': {
      const numbers = values.filter(isFiniteNumber);
      if (numbers.length === 0) return undefined;
      const sum = numbers.reduce((a, b) => a + b, 0);
      return reducer.kind === 'sum' ? sum : sum / numbers.length;
    }
    case 'min':
    case 'max': {
      const sign = reducer.kind === 'min' ? -1 : 1;
      if (reducer.as === 'number') {
        const numbers = values.filter(isFiniteNumber);
        return numbers.length === 0 ? undefined : numbers.reduce((best, n) => (sign * (n - best) > 0 ? n : best));
      }
      const texts = values.filter((v) => typeof v !== 'object').map(textForm);
      return texts.length === 0 ? undefined : texts.reduce((best, t) => (sign * compareCodePoints(t, best) > 0 ? t : best));
    }
    case 'mode': {
      // Most frequent first; among equally frequent groups, the smaller by text form, then type.
      const ranked = groups(values)
        .filter((g) => g.count >= reducer.minFrequency)
        .sort((a, b) => b.count - a.count || compareByTextThenType(a.value, b.value));
      return ranked[0]?.value;
    }
    case 'first':
      return values[0];
    case 'last':
      return values[values.length - 1];
    case 'unique': {
      const distinct: Present[] = groups(values)
        .map((g) => g.value)
        .sort(compareByTextThenType);
      return distinct.length === 0 ? undefined : distinct;
    }
  }
}

function isFiniteNumber(value: Present): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

interface Group {
  /** The group's first value in occurrence order: identical values may still differ in key order. */
  readonly value: Present;
  count: number;
}

/** Present values grouped by identity, in order of first appearance. */
function groups(values: readonly Present[]): Group[] {
  const result: Group[] = [];
  for (const value of values) {
    const group = result.find((g) => identical(g.value, value));
    if (group === undefined) result.push({ value, count: 1 });
    else group.count++;
  }
  return result;
}

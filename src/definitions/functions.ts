import type { RelativeDateOp, TextComparatorOp, ValueComparatorOp } from './ast.ts';

/** The functions of the language by role; a chain may use each role only at certain points. */
export const EXTRACTORS = ['event', 'trait', 'property', 'context', 'literal'] as const;
export const FILTERS = ['where', 'sources', 'within', 'between'] as const;
export const REDUCERS = ['count', 'sum', 'avg', 'min', 'max', 'mode', 'first', 'last', 'unique'] as const;
export const VALUE_COMPARATORS = ['equals', 'differs', 'greater_than', 'at_least', 'less_than', 'at_most'] as const satisfies readonly ValueComparatorOp[];
export const TEXT_COMPARATORS = ['contains', 'omits', 'starts_with', 'ends_with', 'one_of'] as const satisfies readonly TextComparatorOp[];
export const RELATIVE_DATE_COMPARATORS = ['within_last', 'within_next', 'before_last', 'after_next'] as const satisfies readonly RelativeDateOp[];
export const COMPARATORS = [
  ...VALUE_COMPARATORS,
  'absent',
  'exists',
  ...TEXT_COMPARATORS,
  'before_date',
  'after_date',
  ...RELATIVE_DATE_COMPARATORS,
] as const;

export type Extractor = (typeof EXTRACTORS)[number];
export type Filter = (typeof FILTERS)[number];
export type ReducerName = (typeof REDUCERS)[number];
export type ComparatorName = (typeof COMPARATORS)[number];

export function isOneOf<T extends string>(list: readonly T[], name: string): name is T {
  return (list as readonly string[]).includes(name);
}

/** Which role a known function plays, or undefined for a name the language does not have. */
export function roleOf(name: string): 'extractor' | 'filter' | 'reducer' | 'comparator' | undefined {
  if (isOneOf(EXTRACTORS, name)) return 'extractor';
  if (isOneOf(FILTERS, name)) return 'filter';
  if (isOneOf(REDUCERS, name)) return 'reducer';
  if (isOneOf(COMPARATORS, name)) return 'comparator';
  return undefined;
}

/**
 * "unknown function 'cont'; did you mean count?" or, when nothing is close, the list of what is
 * valid at that point. Close = same name ignoring case, or at most 2 edits (1 for short names)
 * away, so suggestions stay plausible.
 */
export function unknownFunctionMessage(name: string, valid: readonly string[], where: string): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  const close = closeNames(name, valid);
  const head = `unknown function '${shown}'${where}`;
  if (close.length > 0) return `${head}; did you mean ${joinAlternatives(close)}?`;
  return valid.length === 1 ? `${head}; expected ${valid.join('')}` : `${head}; expected one of ${valid.join(', ')}`;
}

export function closeNames(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  // Names longer than any function are far from all of them; skip the O(n·m) distance.
  if (lower.length > 24) return [];
  const budget = lower.length <= 4 ? 1 : 2;
  const scored = candidates
    .map((candidate) => ({ candidate, distance: candidate === lower ? 0 : editDistance(lower, candidate) }))
    .filter((s) => s.distance <= budget);
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).map((s) => s.candidate);
}

export function joinAlternatives(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}`;
}

/** Levenshtein distance with adjacent transpositions (`cuont` is one edit from `count`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const substitution = (rows[i - 1]?.[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

import { HOUR } from './ast-builders.ts';

/**
 * The small world the property tests draw from. Small on purpose: with three event names, a
 * handful of values and timestamps on an hour grid, generated definitions and histories collide
 * often (same names, equal values, events exactly on window edges), which is where bugs live.
 */

/** The start of every generated history: a Monday, midnight UTC. */
export const T0 = Date.UTC(2026, 0, 5);

/** Track event names, and the stream name of page calls. */
export const TRACK_NAMES = ['A', 'B', 'C'] as const;
export const NAMES = [...TRACK_NAMES, 'Page Viewed'] as const;
export const SOURCES = ['s1', 's2', 's3'] as const;
export const TRAIT_KEYS = ['t1', 't2'] as const;

/** Small integers, negatives included. */
export const NUMBERS = [-3, -1, 0, 1, 2, 3, 5] as const;
/** A tiny alphabet: prefixes, substrings, case and code-point order all get exercised. */
export const STRINGS = ['', 'a', 'b', 'ab', 'ba', 'B'] as const;
/** Page names (read as `property('page_name')` on page calls). */
export const PAGE_NAMES = ['home', 'cart'] as const;

/** An instant `hours` after T0, written as an ISO date string in one of the accepted forms. */
export function isoAt(hours: number, form: 'z' | 'date' | 'zoneless' | 'offset'): string {
  const iso = new Date(T0 + hours * HOUR).toISOString();
  if (form === 'date') return iso.slice(0, 10);
  if (form === 'zoneless') return iso.slice(0, -1);
  if (form === 'offset') return `${new Date(T0 + (hours + 2) * HOUR).toISOString().slice(0, -1)}+02:00`;
  return iso;
}

/** Date literals for absolute-date comparators and equality: around the history's few days. */
export const DATES = [isoAt(-24, 'date'), isoAt(0, 'z'), isoAt(30, 'z'), isoAt(48, 'date'), isoAt(75, 'offset'), isoAt(100, 'zoneless')] as const;

import type { Json } from '../shared/json.ts';

/** A value the language treats as missing: `undefined` (not there) or `null` (SEMANTICS.md). */
export function isAbsent(value: Json | undefined): value is null | undefined {
  return value === undefined || value === null;
}

/**
 * The text form of a value, for substring comparators, `as string` ordering and tie-breaks:
 * strings as they are, numbers and booleans through `String`, arrays and objects as JSON.
 */
export function textForm(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A string that two values share exactly when they are the same value (same JSON type, same
 * content): the grouping key of `mode` and `unique`. The type prefix keeps `1` and `'1'` apart and
 * keeps user strings like `constructor` from ever being a bare object key.
 */
export function identityKey(value: Json): string {
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return `n${value}`;
  if (typeof value === 'boolean') return value ? 'bt' : 'bf';
  if (value === null) return 'z';
  return `j${JSON.stringify(value)}`;
}

/** The value an `identityKey` was made from. */
export function valueOfIdentityKey(key: string): Json {
  const tag = key[0];
  const rest = key.slice(1);
  switch (tag) {
    case 's':
      return rest;
    case 'n':
      return Number(rest);
    case 'b':
      return rest === 't';
    case 'z':
      return null;
    default:
      return JSON.parse(rest) as Json;
  }
}

/** Same JSON type and value, deep for arrays and objects. */
export function sameValue(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return identityKey(a) === identityKey(b);
}

/**
 * Code-point order (not UTF-16 unit order, which `<` on strings uses). The two differ only where a
 * surrogate (an astral character) meets a unit at or above U+E000, so compare units and fix up
 * that one case at the first difference.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Moves surrogates above U+E000–U+FFFF so unit order becomes code-point order. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * Orders two present values for `>`-style comparators: numbers numerically, strings by code
 * points; undefined when they are not comparable (then the comparison is false).
 */
export function orderValues(a: Json, b: Json): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A value read as an instant: an ISO-8601 string `Date.parse` accepts, or epoch milliseconds. */
export function asInstant(value: Json): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

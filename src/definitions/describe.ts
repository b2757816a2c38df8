import type { Token } from './tokenizer.ts';
import { assertNever } from '../shared/assert-never.ts';

/** Junction keywords (case-insensitive, as in Segment's examples `AND`, `OR`, `NOT`). */
export const JUNCTION_KEYWORDS = ['AND', 'OR', 'NOT', 'ANY', 'ALL'] as const;
export type JunctionKeyword = (typeof JUNCTION_KEYWORDS)[number];

export function keywordOf(token: Token): JunctionKeyword | undefined {
  // Keywords are 2 or 3 letters; skip the upper-casing for every other name.
  if (token.kind !== 'identifier' || token.name.length > 3 || token.name.length < 2) return undefined;
  const upper = token.name.toUpperCase();
  return JUNCTION_KEYWORDS.find((k) => k === upper);
}

const MAX_SHOWN = 40;

/**
 * A string as messages show it: single-quoted, long ones cut, invisible characters escaped, so
 * a message never carries raw control characters or a whole 20 KB value.
 */
export function quoteString(value: string): string {
  const chars = Array.from(value);
  const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN).join('')}…` : value;
  const escaped = shown.replace(/[\\']|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\\' || c === "'" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `'${escaped}'`;
}

/** A name as written by the user, cut if absurdly long. */
export function quoteName(name: string): string {
  return name.length > MAX_SHOWN ? `'${name.slice(0, MAX_SHOWN)}…'` : `'${name}'`;
}

/** What was found, for `expected …, found <this>`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'identifier': {
      const keyword = keywordOf(token);
      return keyword === undefined ? `the name ${quoteName(token.name)}` : keyword;
    }
    case 'string':
      return `the string ${quoteString(token.value)}`;
    case 'number':
      return `the number ${token.raw}`;
    case 'punct':
      return `'${token.symbol}'`;
    case 'end':
      return 'the end of the definition';
    default:
      return assertNever(token);
  }
}

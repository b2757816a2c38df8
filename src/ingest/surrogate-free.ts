import { isWellFormed } from '../shared/well-formed.ts';

/** A JSON `\u` escape of a surrogate (U+D800–U+DFFF), the only way JSON text spells a lone one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * True when no string parsed from this JSON text (key or value) can hold an unpaired surrogate:
 * the text itself is well-formed (a body decoded from UTF-8 always is) and spells no surrogate
 * with a `\u` escape. Then the shape walk can skip checking every string, which costs about as
 * much as the rest of the walk; one scan of the body replaces it. A false positive (an escaped
 * backslash before `ud800`, a proper escaped pair) only means the strings are checked.
 */
export function isSurrogateFreeJson(text: string): boolean {
  return isWellFormed(text) && !SURROGATE_ESCAPE.test(text);
}

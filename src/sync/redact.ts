/**
 * How destination secrets (header values, signing secrets) are shown in API answers and logs:
 * never whole. A long value keeps its last 4 characters so an operator can tell which one is set;
 * a short one keeps none, since 4 of a short secret are too much of it.
 */

const MASK = '••••';
const SHOW_TAIL_FROM = 12;

/** @example redactSecret('Bearer sk_live_1234abcd') // '••••abcd' */
export function redactSecret(value: string): string {
  // By code point, so a tail never splits a surrogate pair into half a character.
  const chars = Array.from(value);
  return chars.length >= SHOW_TAIL_FROM ? MASK + chars.slice(-4).join('') : MASK;
}

/** The same headers, every value redacted. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, redactSecret(value)]));
}

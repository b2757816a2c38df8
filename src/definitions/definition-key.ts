/** The longest key accepted: keys become trait names and LMDB key parts. */
export const MAX_DEFINITION_KEY_LENGTH = 120;

const KEY_SHAPE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/**
 * Segment's key for a name: snake_case, with letters and digits split into their own words
 * (`Order Completed last 30days` → `order_completed_last_30_days`). Accents are dropped
 * (`Ünïcode` → `unicode`); anything else that is not an ASCII letter or digit separates words.
 * Empty when the name has no letter or digit.
 */
export function deriveDefinitionKey(name: string): string {
  const latin = name.normalize('NFKD').replace(/\p{M}/gu, '');
  const words = latin.toLowerCase().match(/[a-z]+|[0-9]+/g) ?? [];
  return words.join('_').slice(0, MAX_DEFINITION_KEY_LENGTH).replace(/_+$/, '');
}

/** Whether a user-given key has the shape derived keys have (lower-case words joined by `_`). */
export function isValidDefinitionKey(key: string): boolean {
  return key.length <= MAX_DEFINITION_KEY_LENGTH && KEY_SHAPE.test(key);
}

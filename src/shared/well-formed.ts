/**
 * Unpaired UTF-16 surrogates. A JavaScript string may hold one (JSON's `"\ud800"` escape makes
 * it), but it is not valid Unicode: UTF-8, msgpack and LMDB's key encoding each write it as
 * U+FFFD or as bytes of their own choosing, so two different strings can come back equal (two
 * messageIds deduplicated as one, two userIds resolved to one profile). Such strings are refused
 * at the edge wherever they could become an id, a key or a stored value.
 */

declare global {
  interface String {
    /** ES2024, in Node 20; the project's `lib` is ES2022, so it is declared here. */
    isWellFormed(): boolean;
    /** ES2024: a copy with each unpaired surrogate replaced by U+FFFD. */
    toWellFormed(): string;
  }
}

/** True when `text` holds no unpaired surrogate. */
export function isWellFormed(text: string): boolean {
  return text.isWellFormed();
}

/** The wording every refusal of such a string uses, after the field or path it names. */
export const LONE_SURROGATE_PROBLEM = 'holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)';

/**
 * Size checks on strings that avoid measuring in the common case: a UTF-16 code unit encodes to
 * 1-3 UTF-8 bytes (a surrogate pair, two units, to 4), so `length` bounds the byte count from
 * both sides and the exact count is only needed in between.
 */

/** True when `text` encodes to more than `maxBytes` UTF-8 bytes. */
export function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/**
 * True when `text` has more than `maxChars` characters, counting a character as a Unicode code
 * point (an emoji is one character, as a user would count it, not two UTF-16 units).
 */
export function exceedsChars(text: string, maxChars: number): boolean {
  // A string has at most as many code points as UTF-16 units.
  if (text.length <= maxChars) return false;
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count > maxChars) return true;
  }
  return false;
}

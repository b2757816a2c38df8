/**
 * Whether `text` encodes to more than `max` UTF-8 bytes, without encoding it. A UTF-16 code unit
 * never takes more than 3 bytes (a surrogate pair: 2 units, 4 bytes), so short strings return at
 * once and long ones stop counting as soon as the answer is known.
 */
export function exceedsUtf8Bytes(text: string, max: number): boolean {
  if (text.length * 3 <= max) return false;
  if (text.length > max) return true;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3; // a lone surrogate is written as U+FFFD, 3 bytes
    if (bytes > max) return true;
  }
  return false;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

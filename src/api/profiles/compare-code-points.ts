/**
 * Orders strings by Unicode code point. JavaScript's default `<` compares UTF-16 code units, which
 * puts astral characters (emoji, …) before U+E000–U+FFFF; comparing UTF-8 bytes gives code point
 * order, which is what trait pagination promises to be stable under.
 */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

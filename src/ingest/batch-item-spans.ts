/**
 * Where each element of the body's top-level `batch` array lies in the raw JSON text, as
 * [start, end) offsets: the contract measures an item's size "as received", whitespace and escapes
 * included, which the parsed value no longer shows. One iterative pass over the text, no
 * recursion. When `batch` appears twice, JSON.parse keeps the last one, and so does this.
 * Returns undefined when no such array is found (the caller then measures the parsed item).
 */
export function batchItemSpans(body: string): Array<[number, number]> | undefined {
  let depth = 0;
  let spans: Array<[number, number]> | undefined;
  let current: Array<[number, number]> | undefined;
  let elementStart = -1;
  let pendingKey: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const end = stringEnd(body, i);
      if (depth === 1) {
        const raw = body.slice(i, end + 1);
        pendingKey = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      }
      if (current !== undefined && depth === 2 && elementStart === -1) elementStart = i;
      i = end;
      continue;
    }
    if (isSpace(ch)) continue;
    if (current !== undefined && depth === 2 && elementStart === -1 && ch !== 0x2c && ch !== 0x5d) elementStart = i;
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (depth === 1 && ch === 0x5b && pendingKey === 'batch') {
        current = [];
        elementStart = -1;
      }
      depth++;
      continue;
    }
    if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      if (current !== undefined && depth === 2) {
        if (elementStart !== -1) current.push([elementStart, trimEnd(body, i)]);
        spans = current;
        current = undefined;
      }
      depth--;
      continue;
    }
    if (ch === 0x2c /* , */) {
      if (current !== undefined && depth === 2 && elementStart !== -1) {
        current.push([elementStart, trimEnd(body, i)]);
        elementStart = -1;
      }
      if (depth === 1) pendingKey = undefined;
    }
  }
  return spans;
}

/** The index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) i++;
    else if (ch === 0x22) return i;
  }
  return text.length - 1;
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
}

/** The end of the element that precedes the delimiter at `delimiter`, trailing whitespace excluded. */
function trimEnd(text: string, delimiter: number): number {
  let end = delimiter;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

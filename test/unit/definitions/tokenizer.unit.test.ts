import { describe, expect, it } from 'vitest';
import { tokenize, type Token } from '../../../src/definitions/tokenizer.ts';

function tokens(text: string): readonly Token[] {
  const result = tokenize(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.tokens;
}

describe('tokenize', () => {
  it('splits names, strings, numbers and symbols, with start and end positions', () => {
    expect(tokens("event('A').count() >= -1.5")).toStrictEqual([
      { kind: 'identifier', name: 'event', at: { line: 1, column: 1 }, end: { line: 1, column: 6 } },
      { kind: 'punct', symbol: '(', at: { line: 1, column: 6 }, end: { line: 1, column: 7 } },
      { kind: 'string', value: 'A', raw: "'A'", at: { line: 1, column: 7 }, end: { line: 1, column: 10 } },
      { kind: 'punct', symbol: ')', at: { line: 1, column: 10 }, end: { line: 1, column: 11 } },
      { kind: 'punct', symbol: '.', at: { line: 1, column: 11 }, end: { line: 1, column: 12 } },
      { kind: 'identifier', name: 'count', at: { line: 1, column: 12 }, end: { line: 1, column: 17 } },
      { kind: 'punct', symbol: '(', at: { line: 1, column: 17 }, end: { line: 1, column: 18 } },
      { kind: 'punct', symbol: ')', at: { line: 1, column: 18 }, end: { line: 1, column: 19 } },
      { kind: 'punct', symbol: '>=', at: { line: 1, column: 20 }, end: { line: 1, column: 22 } },
      { kind: 'number', value: -1.5, raw: '-1.5', at: { line: 1, column: 23 }, end: { line: 1, column: 27 } },
      { kind: 'end', at: { line: 1, column: 27 }, end: { line: 1, column: 27 } },
    ]);
  });

  it('counts lines across \\n, \\r\\n and \\r; columns in code points (an emoji is one column)', () => {
    expect(tokens("a\nb\r\nc\rd '😀' x").map((t) => t.at)).toStrictEqual([
      { line: 1, column: 1 },
      { line: 2, column: 1 },
      { line: 3, column: 1 },
      { line: 4, column: 1 },
      { line: 4, column: 3 },
      { line: 4, column: 7 },
      { line: 4, column: 8 },
    ]);
  });

  it('a number directly followed by a unit is two tokens (7days)', () => {
    expect(tokens('7days').map((t) => t.kind)).toStrictEqual(['number', 'identifier', 'end']);
  });

  it('reports the first lexical problem with its position', () => {
    const result = tokenize("trait('a')\n  = 'b\\x'");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toStrictEqual({ message: 'line 2, column 7: unknown escape \\x in a string (write \\\\ for a backslash)', line: 2, column: 7 });
    const bad = tokenize("'\\u12G4'");
    expect(!bad.ok && bad.error.message).toBe('line 1, column 2: invalid escape in a string: \\u must be followed by 4 hex digits');
  });
});

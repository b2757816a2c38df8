import type { SourcePosition } from './ast.ts';
import { fail, type DefinitionError } from './definition-error.ts';
import { ok, type Result } from '../shared/result.ts';

export type Punct = '(' | ')' | '{' | '}' | '[' | ']' | ',' | '.' | ':' | '=' | '==' | '!=' | '>' | '>=' | '<' | '<=';

/**
 * One token; `at` is where it starts and `end` just past it (line and column 1-based, columns
 * count code points, so an emoji is one column).
 */
export type Token = TokenBody & { readonly at: SourcePosition; readonly end: SourcePosition };

type TokenBody =
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'string'; readonly value: string; readonly raw: string }
  | { readonly kind: 'number'; readonly value: number; readonly raw: string }
  | { readonly kind: 'punct'; readonly symbol: Punct }
  /** Always the last token, at the position just past the text. */
  | { readonly kind: 'end' };

const SINGLE_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

// Character classes by code, not regex: the tokenizer runs once per character of up to 20 KB.
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isIdentStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isWhitespace = (ch: string, c: number): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || (c > 0x7f || c === 0x0b || c === 0x0c ? /\s/u.test(ch) : false);
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/** A character as a message shows it: quoted when visible, `U+0000` when not (NUL, controls, spaces). */
export function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const visible = code > 0x20 && !(code >= 0x7f && code <= 0xa0) && !/\s/u.test(ch) && !/\p{Cf}/u.test(ch);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return visible ? `'${ch}'` : hex;
}

/**
 * Splits definition text into tokens in one forward pass (no backtracking, no regex over the
 * whole text, so hostile input costs linear time). The first lexical problem is the error.
 */
export function tokenize(text: string): Result<{ readonly tokens: readonly Token[]; readonly end: Token }, DefinitionError> {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;

  // Advances over one code point, keeping line/column; \r\n counts as one line break.
  const advance = (): void => {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a || (ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line += 1;
      column = 1;
      i += 1;
      return;
    }
    i += isSurrogatePair(text, i) ? 2 : 1;
    // The \r of \r\n advances without a column; the \n then breaks the line.
    if (ch !== 0x0d) column += 1;
  };
  const here = (): SourcePosition => ({ line, column });
  const codePointAt = (index: number): string => String.fromCodePoint(text.codePointAt(index) ?? 0);

  while (i < text.length) {
    const ch = text[i] ?? '';
    const code = text.charCodeAt(i);
    const at = here();
    const start = i;
    if (isWhitespace(ch, code)) {
      advance();
      continue;
    }
    if (ch === "'" || ch === '"') {
      const lexed = lexString(text, ch, at, advance, () => i, here);
      if (!lexed.ok) return lexed;
      tokens.push({ kind: 'string', value: lexed.value, raw: text.slice(start, i), at, end: here() });
      continue;
    }
    if (isDigit(code) || (ch === '-' && isDigit(text.charCodeAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const raw = NUMBER.exec(text)?.[0] ?? ch;
      const value = Number(raw);
      if (!Number.isFinite(value)) return fail(at, `the number ${raw} is too large`);
      for (let k = 0; k < raw.length; k += 1) advance();
      tokens.push({ kind: 'number', value, raw, at, end: here() });
      continue;
    }
    if (isIdentStart(code)) {
      while (i < text.length && isIdentPart(text.charCodeAt(i))) advance();
      tokens.push({ kind: 'identifier', name: text.slice(start, i), at, end: here() });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '>=' || two === '<=') {
      advance();
      advance();
      tokens.push({ kind: 'punct', symbol: two, at, end: here() });
      continue;
    }
    switch (ch) {
      case '(':
      case ')':
      case '{':
      case '}':
      case '[':
      case ']':
      case ',':
      case '.':
      case ':':
      case '=':
      case '>':
      case '<':
        advance();
        tokens.push({ kind: 'punct', symbol: ch, at, end: here() });
        continue;
      case '&':
        return fail(at, `unexpected character '&': write AND to join conditions`);
      case '|':
        return fail(at, `unexpected character '|': write OR to join conditions`);
      case '!':
        return fail(at, `unexpected character '!': write NOT ( … ) to negate, or != to compare`);
      case '-':
        return fail(at, `unexpected character '-': a minus sign must be followed by digits`);
      default:
        return fail(at, `unexpected character ${describeCharacter(codePointAt(i))}`);
    }
  }
  const end: Token = { kind: 'end', at: here(), end: here() };
  tokens.push(end);
  return ok({ tokens, end });
}

/** A high surrogate followed by a low one: one code point, one column. A lone half is its own. */
function isSurrogatePair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/**
 * Reads a quoted string whose opening quote is at the current index. Strings stay on one line: a line break
 * before the closing quote almost always means a missing quote, and saying so there is clearer
 * than swallowing the rest of the definition.
 */
function lexString(
  text: string,
  quote: string,
  at: SourcePosition,
  advance: () => void,
  index: () => number,
  here: () => SourcePosition,
): Result<string, DefinitionError> {
  advance();
  let value = '';
  for (;;) {
    const i = index();
    if (i >= text.length) return fail(at, `unterminated string: add the closing ${quote}`);
    const ch = text[i] ?? '';
    if (ch === quote) {
      advance();
      return ok(value);
    }
    if (ch === '\n' || ch === '\r') return fail(at, `unterminated string: add the closing ${quote} before the end of the line`);
    if (ch === '\\') {
      const escapeAt = here();
      const next = text[i + 1];
      if (next === undefined) return fail(at, `unterminated string: add the closing ${quote}`);
      if (next === '\n' || next === '\r') return fail(at, `unterminated string: add the closing ${quote} before the end of the line`);
      const simple = SINGLE_ESCAPES[next];
      if (simple !== undefined) {
        advance();
        advance();
        value += simple;
        continue;
      }
      if (next === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!HEX4.test(hex)) return fail(escapeAt, `invalid escape in a string: \\u must be followed by 4 hex digits`);
        for (let k = 0; k < 6; k += 1) advance();
        value += String.fromCharCode(Number.parseInt(hex, 16));
        continue;
      }
      const shown = describeCharacter(String.fromCodePoint(text.codePointAt(i + 1) ?? 0));
      const escape = shown.startsWith("'") ? `\\${next}` : `\\ followed by ${shown}`;
      return fail(escapeAt, `unknown escape ${escape} in a string (write \\\\ for a backslash)`);
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20 && ch !== '\t') {
      return fail(here(), `control character ${describeCharacter(ch)} in a string: write it as an escape such as \\u${code.toString(16).padStart(4, '0')}`);
    }
    // A surrogate pair is copied whole; advance() steps over both halves.
    value += isSurrogatePair(text, i) ? text.slice(i, i + 2) : ch;
    advance();
  }
}

import type { SourcePosition } from './ast.ts';
import { err } from '../shared/result.ts';

/**
 * A definition the parser or type checker refuses. `message` starts with `line L, column C: ` (the
 * contract: a 400 names the position), so it can be shown on its own; `line` and `column` repeat
 * the position (1-based) for callers that point at it.
 */
export interface DefinitionError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** The longest definition text accepted, in UTF-16 code units (`string.length`). */
export const MAX_DEFINITION_LENGTH = 20_000;

/** Segment's limit on primary expressions (comparisons, plus a computed trait's value). */
export const MAX_PRIMARY_EXPRESSIONS = 50;

/**
 * How deeply parentheses, NOT/ANY/ALL, braces and call arguments may nest. Real definitions nest
 * a handful of levels; the limit keeps the recursive-descent parser and the checker far from the
 * stack's end on hostile input (1,000 nested parentheses).
 */
export const MAX_NESTING_DEPTH = 32;

export function definitionError(at: SourcePosition, text: string): DefinitionError {
  return { message: `line ${at.line}, column ${at.column}: ${text}`, line: at.line, column: at.column };
}

/** `err(definitionError(…))`, the form every step of the parser and checker returns. */
export function fail(at: SourcePosition, text: string): { readonly ok: false; readonly error: DefinitionError } {
  return err(definitionError(at, text));
}

/** `line 1, column 5`, for messages that point at a second place (the `(` a `)` should close). */
export function describePosition(at: SourcePosition): string {
  return `line ${at.line}, column ${at.column}`;
}

/** Thousands separators without the locale machinery (deterministic across hosts). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Helpers for the definition tests: parse-or-fail, positions found in the text, positions stripped. */
import type { DefinitionAst, DefinitionKind, DefinitionTarget, SourcePosition } from '../../../src/definitions/ast.ts';
import { parseDefinition } from '../../../src/definitions/parse-definition.ts';

export function parseOk(text: string, kind: DefinitionKind = 'audience', target?: DefinitionTarget): DefinitionAst {
  const result = parseDefinition(text, target === undefined ? { kind } : { kind, target });
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.error.message}`);
  return result.value;
}

export function parseMessage(text: string, kind: DefinitionKind = 'audience', target?: DefinitionTarget): string {
  const result = parseDefinition(text, target === undefined ? { kind } : { kind, target });
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  return result.error.message;
}

/**
 * The position of the `nth` occurrence of `needle` in `text`, so expected ASTs say "where
 * `property(` is" instead of carrying hand-counted columns.
 */
export function posOf(text: string, needle: string, nth = 0): SourcePosition {
  let index = -1;
  for (let k = 0; k <= nth; k += 1) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(needle)} #${nth} not in ${JSON.stringify(text)}`);
  }
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = Array.from(before.slice(before.lastIndexOf('\n') + 1)).length + 1;
  return { line, column };
}

/**
 * A deep copy without source positions, for comparing two spellings of one definition. Only
 * `{line, column}` objects go: a before_date comparator's `at` is epoch ms and stays.
 */
export function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'at' && inner !== null && typeof inner === 'object') continue;
    out[key] = withoutPositions(inner);
  }
  return out;
}

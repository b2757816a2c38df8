import type { DefinitionAst, DefinitionKind, DefinitionTarget } from './ast.ts';
import { checkDefinition } from './check-definition.ts';
import { fail, formatCount, MAX_DEFINITION_LENGTH, type DefinitionError } from './definition-error.ts';
import { parseSyntax } from './parser.ts';
import { tokenize } from './tokenizer.ts';
import type { Result } from '../shared/result.ts';

export type { DefinitionError } from './definition-error.ts';

export interface ParseDefinitionOptions {
  readonly kind: DefinitionKind;
  /** `USERS` when absent. */
  readonly target?: DefinitionTarget;
}

/**
 * Parses and type-checks a definition in Segment's query language (`shared/spec/query-language.md`).
 * Never throws: every refusal is an error value whose message starts `line L, column C: `.
 * Cost is linear in the text, which is capped at 20,000 characters.
 */
export function parseDefinition(text: string, options: ParseDefinitionOptions): Result<DefinitionAst, DefinitionError> {
  const start = { line: 1, column: 1 };
  if (text.length > MAX_DEFINITION_LENGTH) {
    return fail(start, `the definition is ${formatCount(text.length)} characters long; at most ${formatCount(MAX_DEFINITION_LENGTH)} are allowed`);
  }
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const { tokens, end } = lexed.value;
  if (tokens[0]?.kind === 'end') {
    const example = options.kind === 'audience' ? "event('Order Completed').count() >= 1" : "event('Order Completed').count()";
    return fail(start, `the definition is empty; write ${options.kind === 'audience' ? 'a condition' : 'a value'}, such as ${example}`);
  }
  const syntax = parseSyntax(tokens, end);
  if (!syntax.ok) return syntax;
  return checkDefinition(syntax.value, options.kind, options.target ?? 'USERS');
}

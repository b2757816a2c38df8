import type { Comparator, Condition, DefinitionAst, Stream, ValueExpr } from '../../../src/definitions/ast.ts';

/**
 * Read-only walks over a definition AST: the streams, traits and durations it mentions. The
 * harness uses them to check an evaluator's declared `eventNames`/`traitKeys` and to aim its
 * probes at window edges; the reference-backed evaluator to list the instants an answer can flip.
 */

export interface AstFacts {
  /** Every stream, funnel children included. */
  readonly streams: readonly Stream[];
  readonly traitKeys: ReadonlySet<string>;
  /** The lengths (ms) of every window: `within`, both ends of `between`, funnel child windows. */
  readonly windowMs: ReadonlySet<number>;
  /** The lengths (ms) of every relative-date comparator (`within_last(D)`, …). */
  readonly relativeDateMs: ReadonlySet<number>;
}

export function factsOf(ast: DefinitionAst): AstFacts {
  const streams: Stream[] = [];
  const traitKeys = new Set<string>();
  const windowMs = new Set<number>();
  const relativeDateMs = new Set<number>();

  const visitCondition = (c: Condition): void => {
    if (c.kind === 'and' || c.kind === 'or') c.operands.forEach(visitCondition);
    else if (c.kind === 'not' || c.kind === 'quantified') visitCondition(c.operand);
    else {
      visitValue(c.subject);
      visitComparator(c.comparator);
    }
  };
  const visitComparator = (c: Comparator): void => {
    if ('operand' in c) visitValue(c.operand);
    else if ('operands' in c) c.operands.forEach(visitValue);
    else if ('duration' in c) relativeDateMs.add(c.duration.ms);
  };
  const visitValue = (v: ValueExpr): void => {
    if (v.kind === 'trait') traitKeys.add(v.key);
    else if (v.kind === 'aggregate') visitStream(v.stream);
  };
  const visitStream = (s: Stream): void => {
    streams.push(s);
    s.where.forEach(visitCondition);
    if (s.window?.kind === 'between') {
      windowMs.add(s.window.start.ms);
      windowMs.add(s.window.end.ms);
    } else if (s.window !== undefined) windowMs.add(s.window.duration.ms);
  };

  if (ast.kind === 'audience') visitCondition(ast.root);
  else visitValue(ast.root);
  return { streams, traitKeys, windowMs, relativeDateMs };
}

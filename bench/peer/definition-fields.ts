import type { Comparator, Condition, DefinitionAst, Reducer, Stream, ValueExpr } from '../../src/definitions/ast.ts';

/**
 * What the definitions read from the log, found before loading so that the loader flattens
 * exactly those values into columns (as a warehouse loader flattens `properties` into one column
 * per property): the event properties (by dotted path) and the profile traits (by key).
 */
export interface DefinitionFields {
  /** Property paths, each with whether a number there needs its text form (see encode-value.ts). */
  readonly properties: ReadonlyMap<string, { readonly numberText: boolean }>;
  /** Every `trait('k')` key; those that are definition keys are answered by the definitions. */
  readonly traitKeys: ReadonlySet<string>;
}

/** Comparators that read the text form of their subject and operands (SEMANTICS.md). */
const TEXT_COMPARATORS = new Set<Comparator['op']>(['contains', 'omits', 'starts_with', 'ends_with']);

export function definitionFields(asts: readonly DefinitionAst[]): DefinitionFields {
  const properties = new Map<string, { numberText: boolean }>();
  const traitKeys = new Set<string>();

  const property = (path: string, numberText: boolean): void => {
    const known = properties.get(path);
    properties.set(path, { numberText: numberText || (known?.numberText ?? false) });
  };
  const visitValue = (v: ValueExpr, textNeeded: boolean): void => {
    if (v.kind === 'property') property(v.path, textNeeded);
    else if (v.kind === 'trait') traitKeys.add(v.key);
    else if (v.kind === 'aggregate') {
      visitStream(v.stream);
      visitReducer(v.reducer);
    }
  };
  const visitReducer = (r: Reducer): void => {
    if (r.kind === 'count' || r.field.source !== 'property') return;
    // Orders and groups compare text forms; sums, numeric extremes and identity do not.
    const textNeeded = r.kind === 'mode' || r.kind === 'unique' || ((r.kind === 'min' || r.kind === 'max') && r.as === 'string');
    property(r.field.path, textNeeded);
  };
  const visitStream = (s: Stream): void => s.where.forEach(visitCondition);
  const visitCondition = (c: Condition): void => {
    if (c.kind === 'and' || c.kind === 'or') c.operands.forEach(visitCondition);
    else if (c.kind === 'not' || c.kind === 'quantified') visitCondition(c.operand);
    else {
      const textNeeded = TEXT_COMPARATORS.has(c.comparator.op);
      visitValue(c.subject, textNeeded);
      if ('operand' in c.comparator) visitValue(c.comparator.operand, textNeeded);
      else if ('operands' in c.comparator) for (const o of c.comparator.operands) visitValue(o, textNeeded);
    }
  };

  for (const ast of asts) {
    if (ast.kind === 'audience') visitCondition(ast.root);
    else visitValue(ast.root, false);
  }
  return { properties, traitKeys };
}

import type { Comparator, Condition, DefinitionAst, Duration, FieldRef, Reducer, Stream, ValueExpr, Window } from '../../../src/definitions/ast.ts';

/**
 * A definition AST written back in the query language, for counterexamples and test names: a
 * failing property prints `event('A').within(3 hours).count() >= 1` rather than a page of nested
 * objects. For reading only; nothing parses it.
 */
export function renderDefinition(ast: DefinitionAst): string {
  return ast.kind === 'audience' ? `audience: ${condition(ast.root)}` : `computed trait: ${value(ast.root)}`;
}

function condition(c: Condition): string {
  switch (c.kind) {
    case 'and':
      return `(${c.operands.map(condition).join(' AND ')})`;
    case 'or':
      return `(${c.operands.map(condition).join(' OR ')})`;
    case 'not':
      return `NOT (${condition(c.operand)})`;
    case 'quantified':
      return `${c.quantifier.toUpperCase()}${c.negated ? ' NOT' : ''} (${condition(c.operand)})`;
    case 'comparison':
      return `${value(c.subject)}.${comparator(c.comparator)}`;
  }
}

function value(v: ValueExpr): string {
  switch (v.kind) {
    case 'literal':
      return `literal(${JSON.stringify(v.value)})`;
    case 'trait':
      return `trait('${v.key}')`;
    case 'property':
      return v.scope === 'parent' ? `property(parent: '${v.path}')` : `property('${v.path}')`;
    case 'context':
      return `context('${v.path}')`;
    case 'aggregate':
      return `${stream(v.stream)}.${reducer(v.reducer)}`;
  }
}

function stream(s: Stream): string {
  const parts = [`event('${s.event}')`];
  for (const w of s.where) parts.push(`where(${condition(w)})`);
  if (s.excludeSources.length > 0) parts.push(`sources({exclude: ${s.excludeSources.map((id) => `'${id}'`).join(', ')}})`);
  if (s.window !== undefined) parts.push(window(s.window));
  return parts.join('.');
}

function window(w: Window): string {
  if (w.kind === 'within') return `within(${duration(w.duration)})`;
  if (w.kind === 'between') return `between(${duration(w.start)}, ${duration(w.end)})`;
  return `within(parent: ${duration(w.duration)})`;
}

const duration = (d: Duration): string => `${d.amount} ${d.unit}`;
const field = (f: FieldRef): string => `${f.source}('${f.path}')`;

function reducer(r: Reducer): string {
  switch (r.kind) {
    case 'count':
      return 'count()';
    case 'sum':
    case 'avg':
    case 'first':
    case 'last':
    case 'unique':
      return `${r.kind}(${field(r.field)})`;
    case 'unique_count':
      return `unique(${field(r.field)}).count()`;
    case 'min':
    case 'max':
      return `${r.kind}(${field(r.field)}${r.as === 'string' ? ' as string' : ''})`;
    case 'mode':
      return `mode(${field(r.field)} as ${r.as}, ${r.minFrequency})`;
  }
}

function comparator(c: Comparator): string {
  if ('operand' in c) return `${c.op}(${value(c.operand)})`;
  if ('operands' in c) return `${c.op}(${c.operands.map(value).join(', ')})`;
  if ('duration' in c) return `${c.op}(${duration(c.duration)})`;
  if ('iso' in c) return `${c.op}('${c.iso}')`;
  return `${c.op}()`;
}

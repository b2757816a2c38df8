import type { Comparator, Condition, DefinitionAst, Stream, ValueExpr } from './ast.ts';
import { assertNever } from '../shared/assert-never.ts';

export interface DefinitionDependencies {
  /** Every stream's event name, funnel steps included; sorted by code point, distinct. */
  readonly eventNames: readonly string[];
  /** Every `trait('k')` key anywhere (roots, operands, inside `where`); sorted, distinct. */
  readonly traitKeys: readonly string[];
}

/**
 * What a definition reads: the events that can change its state (to index definitions by event
 * name) and the traits it depends on (to order re-evaluation and refuse cycles).
 */
export function definitionDependencies(ast: DefinitionAst): DefinitionDependencies {
  const events = new Set<string>();
  const traits = new Set<string>();
  // An explicit stack instead of recursion: the walk does not depend on the checker's depth limit.
  const pending: (Condition | ValueExpr | Stream)[] = [ast.root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (!('kind' in node)) {
      events.add(node.event);
      pending.push(...node.where);
      continue;
    }
    switch (node.kind) {
      case 'and':
      case 'or':
        pending.push(...node.operands);
        break;
      case 'not':
      case 'quantified':
        pending.push(node.operand);
        break;
      case 'comparison':
        pending.push(node.subject, ...comparatorOperands(node.comparator));
        break;
      case 'aggregate':
        pending.push(node.stream);
        break;
      case 'trait':
        traits.add(node.key);
        break;
      case 'literal':
      case 'property':
      case 'context':
        break;
      default:
        assertNever(node);
    }
  }
  return { eventNames: [...events].sort(compareCodePoints), traitKeys: [...traits].sort(compareCodePoints) };
}

function comparatorOperands(comparator: Comparator): readonly ValueExpr[] {
  switch (comparator.op) {
    case 'equals':
    case 'differs':
    case 'greater_than':
    case 'at_least':
    case 'less_than':
    case 'at_most':
      return [comparator.operand];
    case 'contains':
    case 'omits':
    case 'starts_with':
    case 'ends_with':
    case 'one_of':
      return comparator.operands;
    case 'absent':
    case 'exists':
    case 'before_date':
    case 'after_date':
    case 'within_last':
    case 'within_next':
    case 'before_last':
    case 'after_next':
      return [];
    default:
      return assertNever(comparator);
  }
}

/**
 * Code-point order (the house's "alphabetical", SEMANTICS.md). JavaScript's default sort compares
 * UTF-16 code units, which puts astral characters before U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true) return (x.done === true ? 0 : 1) - (y.done === true ? 0 : 1);
    const dx = x.value.codePointAt(0) ?? 0;
    const dy = y.value.codePointAt(0) ?? 0;
    if (dx !== dy) return dx - dy;
  }
}

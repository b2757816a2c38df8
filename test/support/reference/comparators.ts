import type { Comparator, ValueExpr } from '../../../src/definitions/ast.ts';
import type { EpochMs } from '../../../src/shared/ids.ts';
import { type Present, type Value, compareCodePoints, identical, readTime, textForm } from './values.ts';

/** The operand expressions a comparator reads, in order (the evaluator supplies their values). */
export function operandsOf(comparator: Comparator): readonly ValueExpr[] {
  if ('operand' in comparator) return [comparator.operand];
  if ('operands' in comparator) return comparator.operands;
  return [];
}

/**
 * Called with every time a relative-date comparator reads (SEMANTICS.md's `t`), so that a caller
 * can find the instants at which the comparison may flip (the reference-backed evaluator's
 * `nextChangeAt`). The answer never depends on it.
 */
export type TimeSeen = (t: number) => void;

/**
 * Whether `subject <comparator> operands` holds at `now` (SEMANTICS.md, "Comparators").
 * `operands` are the values of `operandsOf(comparator)`, in the same order.
 */
export function holds(comparator: Comparator, subject: Value, operands: readonly Value[], now: EpochMs, seen?: TimeSeen): boolean {
  if (comparator.op === 'absent') return subject === undefined;
  if (comparator.op === 'exists') return subject !== undefined;
  if (subject === undefined) return false;
  const present = operands.filter((o): o is Present => o !== undefined);
  switch (comparator.op) {
    case 'equals':
    case 'differs':
    case 'greater_than':
    case 'at_least':
    case 'less_than':
    case 'at_most': {
      const [operand] = operands;
      return operand !== undefined && compareValues(comparator.op, subject, operand);
    }
    case 'contains':
      return present.length > 0 && present.some((o) => textForm(subject).includes(textForm(o)));
    case 'omits':
      return present.length > 0 && !present.some((o) => textForm(subject).includes(textForm(o)));
    case 'starts_with':
      return present.length > 0 && present.some((o) => textForm(subject).startsWith(textForm(o)));
    case 'ends_with':
      return present.length > 0 && present.some((o) => textForm(subject).endsWith(textForm(o)));
    case 'one_of':
      return present.some((o) => identical(subject, o));
    case 'before_date':
    case 'after_date': {
      const t = readTime(subject);
      if (t === undefined) return false;
      return comparator.op === 'before_date' ? t < comparator.at : t > comparator.at;
    }
    case 'within_last':
    case 'within_next':
    case 'before_last':
    case 'after_next': {
      const t = readTime(subject);
      if (t === undefined) return false;
      seen?.(t);
      const d = comparator.duration.ms;
      if (comparator.op === 'within_last') return now - d <= t && t <= now;
      if (comparator.op === 'before_last') return t < now - d;
      if (comparator.op === 'within_next') return now <= t && t <= now + d;
      return t > now + d;
    }
  }
}

type ValueOp = 'equals' | 'differs' | 'greater_than' | 'at_least' | 'less_than' | 'at_most';

function compareValues(op: ValueOp, s: Present, o: Present): boolean {
  if (op === 'equals') return identical(s, o);
  if (op === 'differs') return !identical(s, o);
  let order: number;
  if (typeof s === 'number' && typeof o === 'number') order = s < o ? -1 : s > o ? 1 : 0;
  else if (typeof s === 'string' && typeof o === 'string') order = compareCodePoints(s, o);
  else return false;
  if (op === 'greater_than') return order > 0;
  if (op === 'at_least') return order >= 0;
  if (op === 'less_than') return order < 0;
  return order <= 0;
}

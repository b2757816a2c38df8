import type { Comparator } from '../definitions/ast.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { Json } from '../shared/json.ts';
import { asInstant, isAbsent, orderValues, sameValue, textForm } from './values.ts';

/** Collects instants at which a time-dependent comparison may change its answer. */
export type InstantSink = (instant: number) => void;

/**
 * Applies a comparator to a subject and its already-evaluated operands (SEMANTICS.md,
 * "Comparators"). Relative-date comparators report the instants their answer flips at, so the
 * actor can wake exactly then.
 */
export function applyComparator(
  comparator: Comparator,
  subject: Json | undefined,
  operands: readonly (Json | undefined)[],
  now: number,
  sink?: InstantSink,
): boolean {
  switch (comparator.op) {
    case 'absent':
      return isAbsent(subject);
    case 'exists':
      return !isAbsent(subject);
    case 'equals':
    case 'differs':
    case 'greater_than':
    case 'at_least':
    case 'less_than':
    case 'at_most': {
      const operand = operands[0];
      if (isAbsent(subject) || isAbsent(operand)) return false;
      return compareValues(comparator.op, subject, operand);
    }
    case 'contains':
    case 'omits':
    case 'starts_with':
    case 'ends_with':
    case 'one_of':
      return matchAny(comparator.op, subject, operands);
    case 'before_date':
    case 'after_date': {
      if (isAbsent(subject)) return false;
      const t = asInstant(subject);
      if (t === undefined) return false;
      return comparator.op === 'before_date' ? t < comparator.at : t > comparator.at;
    }
    case 'within_last':
    case 'within_next':
    case 'before_last':
    case 'after_next': {
      if (isAbsent(subject)) return false;
      const t = asInstant(subject);
      if (t === undefined) return false;
      const d = comparator.duration.ms;
      if (sink !== undefined) reportRelativeBounds(comparator.op, t, d, now, sink);
      switch (comparator.op) {
        case 'within_last':
          return now - d <= t && t <= now;
        case 'before_last':
          return t < now - d;
        case 'within_next':
          return now <= t && t <= now + d;
        case 'after_next':
          return t > now + d;
      }
    }
    // falls through: unreachable, every inner case returns
    default:
      return assertNever(comparator);
  }
}

function compareValues(op: 'equals' | 'differs' | 'greater_than' | 'at_least' | 'less_than' | 'at_most', a: Json, b: Json): boolean {
  if (op === 'equals') return sameValue(a, b);
  if (op === 'differs') return !sameValue(a, b);
  const order = orderValues(a, b);
  if (order === undefined) return false;
  switch (op) {
    case 'greater_than':
      return order > 0;
    case 'at_least':
      return order >= 0;
    case 'less_than':
      return order < 0;
    case 'at_most':
      return order <= 0;
  }
}

function matchAny(op: 'contains' | 'omits' | 'starts_with' | 'ends_with' | 'one_of', subject: Json | undefined, operands: readonly (Json | undefined)[]): boolean {
  if (isAbsent(subject)) return false;
  const present = operands.filter((o): o is Json => !isAbsent(o));
  if (present.length === 0) return false;
  if (op === 'one_of') return present.some((o) => sameValue(subject, o));
  const text = textForm(subject);
  switch (op) {
    case 'contains':
      return present.some((o) => text.includes(textForm(o)));
    case 'omits':
      return !present.some((o) => text.includes(textForm(o)));
    case 'starts_with':
      return present.some((o) => text.startsWith(textForm(o)));
    case 'ends_with':
      return present.some((o) => text.endsWith(textForm(o)));
  }
}

/**
 * The instants after `now` at which a relative-date comparison on time `t` can flip: the edges of
 * its inclusive range, and the millisecond after an inclusive upper edge. Floored, because the
 * clock moves in whole milliseconds and an early wake-up is harmless while a late one is not.
 */
function reportRelativeBounds(op: 'within_last' | 'within_next' | 'before_last' | 'after_next', t: number, d: number, now: number, sink: InstantSink): void {
  const edges =
    op === 'within_last'
      ? [Math.floor(t), Math.floor(t + d) + 1]
      : op === 'before_last'
        ? [Math.floor(t + d) + 1]
        : op === 'within_next'
          ? [Math.floor(t - d), Math.floor(t) + 1]
          : [Math.floor(t - d)];
  for (const edge of edges) if (edge > now) sink(edge);
}

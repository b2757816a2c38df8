import type { Condition, FieldRef, Reducer, Stream, ValueExpr, Window } from '../definitions/ast.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { ListLayout } from './occurrence-list.ts';

type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;

/**
 * The compile-time plan of one stream: which filters run once when an occurrence arrives
 * (static: they read only the event) and which run at every evaluation (dynamic: they read a
 * trait, the clock, a funnel child or the parent occurrence), which fields a kept occurrence
 * must carry for the dynamic filters and the reducer, and how the state is kept.
 */
export interface StreamPlan extends ListLayout {
  readonly stream: Stream;
  readonly reducer: Reducer;
  readonly staticWhere: readonly Condition[];
  readonly dynamicWhere: readonly Condition[];
  /** Fields projected onto each kept occurrence, addressed through `fieldIndex` by source and path. */
  readonly fields: readonly FieldRef[];
  /**
   * Per source, each projected path's index in `fields`. Two maps keyed by the path alone, not one
   * keyed by `source:path`: a dynamic filter reads a field per kept occurrence per evaluation, and
   * building that key each time was half the cost of filtering a long window.
   */
  readonly fieldIndex: { readonly property: ReadonlyMap<string, number>; readonly context: ReadonlyMap<string, number> };
  /** Index of the reducer's field in `fields`, when the reducer has one. */
  readonly reducerField: number | undefined;
}

/** A stream at the top of the definition (not inside another stream's `where`). */
export interface RootStreamPlan extends StreamPlan {
  /** Position of this stream's state in `EvaluatorState.streams`. */
  readonly index: number;
  /**
   * `summary`: occurrences fold into the reducer's accumulator as they come due (no window, only
   * static filters); `retained`: occurrences are kept (projected) and reduced at each evaluation.
   */
  readonly mode: 'summary' | 'retained';
  /**
   * For `count()` compared with a literal number under a `within` window: keep only this many of
   * the newest due occurrences (the answer cannot tell more apart).
   */
  readonly cap: number | undefined;
  /** Funnel children: streams inside this stream's `where`. */
  readonly children: readonly ChildStreamPlan[];
  /**
   * A retained stream reduced by time range alone (a window, static filters, no funnel children,
   * no cap): one flat list while it is short, segments with partial aggregates beyond
   * (`segmented-list.ts`). Streams with dynamic
   * filters test each occurrence at each evaluation, and capped counts keep a few occurrences: both
   * stay one flat list.
   */
  readonly segmented: boolean;
  /**
   * For a funnel whose filters read neither traits nor the clock (only its children, its own and
   * its parent's fields): the longest child window. A parent at least that far behind `now` has
   * every child window closed, so whether it passes is fixed (until a late child joins one of its
   * windows) and is settled once (`settle-funnel.ts`) rather than tested at every evaluation.
   */
  readonly settleAfter: number | undefined;
}

export interface ChildStreamPlan extends StreamPlan {
  /** Position of this child's occurrences in the parent's state. */
  readonly childIndex: number;
  readonly windowMs: number;
}

/** Plans every root stream of a definition (with its funnel children). */
export function planStreams(root: Condition | ValueExpr): { roots: RootStreamPlan[] } {
  const roots: RootStreamPlan[] = [];
  const rootAggregates: Array<{ node: AggregateExpr; comparedWith: ComparedWith | undefined }> = [];
  collectRootAggregates(root, undefined, rootAggregates);
  for (const { node, comparedWith } of rootAggregates) {
    roots.push(planRootStream(node, roots.length, comparedWith));
  }
  return { roots };
}

interface ComparedWith {
  readonly op: string;
  readonly literal: number | undefined;
}

function collectRootAggregates(node: Condition | ValueExpr, comparedWith: ComparedWith | undefined, out: Array<{ node: AggregateExpr; comparedWith: ComparedWith | undefined }>): void {
  if (node.kind === 'aggregate') {
    out.push({ node, comparedWith });
    return;
  }
  if (node.kind === 'comparison') {
    // A root aggregate is only ever a comparison's subject (operands are never aggregates).
    const { comparator } = node;
    const operand = 'operand' in comparator ? comparator.operand : undefined;
    const literal = operand?.kind === 'literal' && typeof operand.value === 'number' ? operand.value : undefined;
    collectRootAggregates(node.subject, { op: comparator.op, literal }, out);
    return;
  }
  forEachChild(node, (child) => collectRootAggregates(child, undefined, out));
}

function planRootStream(node: AggregateExpr, index: number, comparedWith: ComparedWith | undefined): RootStreamPlan {
  const { stream, reducer } = node;
  const { staticWhere, dynamicWhere } = splitWhere(stream.where);
  const childNodes: AggregateExpr[] = [];
  for (const condition of dynamicWhere) collectChildAggregates(condition, childNodes);
  const fields = new FieldTable();
  const reducerField = addReducerField(reducer, fields);
  for (const condition of dynamicWhere) collectFields(condition, fields, 'event');
  const children = childNodes.map((child, childIndex) => {
    for (const condition of child.stream.where) collectFields(condition, fields, 'parent');
    return planChildStream(child, childIndex);
  });
  const mode = stream.window === undefined && dynamicWhere.length === 0 ? 'summary' : 'retained';
  const cap = capFor(stream.window, reducer, dynamicWhere, comparedWith);
  return {
    ...basePlan(stream, reducer, staticWhere, dynamicWhere, fields, reducerField),
    index,
    mode,
    cap,
    children,
    segmented: mode === 'retained' && dynamicWhere.length === 0 && children.length === 0 && cap === undefined,
    settleAfter: children.length > 0 && [...dynamicWhere, ...children.flatMap((child) => child.dynamicWhere)].every((condition) => !readsTraitOrClock(condition)) ? Math.max(...children.map((child) => child.windowMs)) : undefined,
  };
}

function planChildStream(node: AggregateExpr, childIndex: number): ChildStreamPlan {
  const { stream, reducer } = node;
  const { staticWhere, dynamicWhere } = splitWhere(stream.where);
  const fields = new FieldTable();
  const reducerField = addReducerField(reducer, fields);
  for (const condition of dynamicWhere) collectFields(condition, fields, 'event');
  if (stream.window?.kind !== 'parent') throw new Error(`funnel child event('${stream.event}') has no within(parent: …) window`);
  return { ...basePlan(stream, reducer, staticWhere, dynamicWhere, fields, reducerField), childIndex, windowMs: stream.window.duration.ms };
}

function basePlan(stream: Stream, reducer: Reducer, staticWhere: Condition[], dynamicWhere: Condition[], fields: FieldTable, reducerField: number | undefined): StreamPlan {
  // `first`/`last` break timestamp ties by messageId, so their occurrences keep it.
  const keepsMessageId = reducer.kind === 'first' || reducer.kind === 'last';
  const fieldOffset = keepsMessageId ? 2 : 1;
  return {
    stream,
    reducer,
    staticWhere,
    dynamicWhere,
    fields: fields.refs,
    fieldIndex: fields.index,
    reducerField,
    keepsMessageId,
    fieldOffset,
    stride: fieldOffset + fields.refs.length,
  };
}

function addReducerField(reducer: Reducer, fields: FieldTable): number | undefined {
  return reducer.kind === 'count' ? undefined : fields.add(reducer.field);
}

/**
 * `count() op k` under `within` (or no window) only needs the newest ⌊k⌋+1 due occurrences
 * (`⌈k⌉` for `at_least`): whatever the count beyond that, every comparison with k answers alike,
 * and older occurrences leave the window first.
 */
function capFor(window: Window | undefined, reducer: Reducer, dynamicWhere: readonly Condition[], comparedWith: ComparedWith | undefined): number | undefined {
  if (reducer.kind !== 'count' || dynamicWhere.length > 0 || comparedWith?.literal === undefined) return undefined;
  if (window !== undefined && window.kind !== 'within') return undefined;
  const k = comparedWith.literal;
  if (k < 0) return 0;
  return comparedWith.op === 'at_least' ? Math.ceil(k) : Math.floor(k) + 1;
}

class FieldTable {
  readonly refs: FieldRef[] = [];
  readonly index = { property: new Map<string, number>(), context: new Map<string, number>() };

  add(field: FieldRef): number {
    const paths = this.index[field.source];
    const existing = paths.get(field.path);
    if (existing !== undefined) return existing;
    this.refs.push(field);
    paths.set(field.path, this.refs.length - 1);
    return this.refs.length - 1;
  }
}

function splitWhere(where: readonly Condition[]): { staticWhere: Condition[]; dynamicWhere: Condition[] } {
  const staticWhere: Condition[] = [];
  const dynamicWhere: Condition[] = [];
  for (const condition of where) (isStatic(condition) ? staticWhere : dynamicWhere).push(condition);
  return { staticWhere, dynamicWhere };
}

/** A condition that reads only the occurrence itself, so its answer never changes. */
function isStatic(node: Condition | ValueExpr): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.operands.every(isStatic);
    case 'not':
    case 'quantified':
      return isStatic(node.operand);
    case 'comparison': {
      const { comparator } = node;
      if (comparator.op === 'within_last' || comparator.op === 'within_next' || comparator.op === 'before_last' || comparator.op === 'after_next') return false;
      const operands = 'operand' in comparator ? [comparator.operand] : 'operands' in comparator ? comparator.operands : [];
      return isStatic(node.subject) && operands.every(isStatic);
    }
    case 'literal':
    case 'context':
      return true;
    case 'property':
      return node.scope === 'event';
    case 'trait':
    case 'aggregate':
      return false;
    default:
      return assertNever(node);
  }
}

/** Whether a condition reads a trait or compares with the clock (a relative date), outside funnel children. */
function readsTraitOrClock(node: Condition | ValueExpr): boolean {
  if (node.kind === 'trait') return true;
  if (node.kind === 'aggregate') return false;
  if (node.kind === 'comparison') {
    const { op } = node.comparator;
    if (op === 'within_last' || op === 'within_next' || op === 'before_last' || op === 'after_next') return true;
  }
  let reads = false;
  forEachChild(node, (child) => {
    reads ||= readsTraitOrClock(child);
  });
  return reads;
}

function collectChildAggregates(node: Condition | ValueExpr, out: AggregateExpr[]): void {
  forEachChild(node, (child) => {
    if (child.kind === 'aggregate') out.push(child);
    else collectChildAggregates(child, out);
  });
}

/** Adds the fields a condition reads: its own occurrence's (`event`) or the parent's (`parent`). */
function collectFields(node: Condition | ValueExpr, fields: FieldTable, scope: 'event' | 'parent'): void {
  if (node.kind === 'property' && node.scope === scope) fields.add({ source: 'property', path: node.path });
  else if (node.kind === 'context' && scope === 'event') fields.add({ source: 'context', path: node.path });
  else if (node.kind !== 'aggregate') forEachChild(node, (child) => collectFields(child, fields, scope));
}

function forEachChild(node: Condition | ValueExpr, visit: (child: Condition | ValueExpr) => void): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.operands.forEach(visit);
      return;
    case 'not':
    case 'quantified':
      visit(node.operand);
      return;
    case 'comparison': {
      visit(node.subject);
      const { comparator } = node;
      if ('operand' in comparator) visit(comparator.operand);
      if ('operands' in comparator) comparator.operands.forEach(visit);
      return;
    }
    case 'aggregate':
    case 'literal':
    case 'trait':
    case 'property':
    case 'context':
      return;
    default:
      assertNever(node);
  }
}

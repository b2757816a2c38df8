import type { Comparator, Condition, DefinitionAst, Stream, ValueExpr } from '../../src/definitions/ast.ts';
import { TYPE_CODE } from './encode-value.ts';
import { reducerQuery, reducerValue, type StreamRows } from './reducer-sql.ts';
import { ABSENT, aliasValue, columnsValue, comparisonSql, literalValue, NULL_NUMBER, NULL_TEXT, type SqlValue } from './value-sql.ts';

/**
 * One definition (its checked AST) as one SQL statement that materialises its answer for every
 * person at the instant `at` into a table `(pid, t, n, s, k)` (value columns of value-sql.ts; an
 * audience's answer is the boolean `true`/`false`). The statement is built generically from the
 * AST, the way a warehouse tool compiles an audience to SQL:
 *
 * - a top-level aggregate is a subquery over `occ` grouped by person, LEFT JOINed to `persons`;
 * - a stream's filters are predicates on its rows: name, arrival (`sent <= at`), time
 *   (`ts <= at`: future-dated events wait), window, and each `where` condition;
 * - a funnel child is a LATERAL subquery correlated to its parent row, and its comparison is
 *   three-valued in SQL's own Kleene logic (NULL = not settled yet, SEMANTICS.md "Funnels");
 *   the parent row passes when its `where` IS TRUE;
 * - `trait('k')` joins, per person, either the latest identify traits (table `tr`) or the table
 *   of the definition whose key is `k` (computed earlier: dependency order).
 */
export interface SqlPlanContext {
  /** The instant, epoch ms. */
  readonly at: number;
  /** Occurrence name → `occ.name` id (names absent from the log match nothing). */
  readonly nameIds: ReadonlyMap<string, number>;
  /** Property path → column prefix in `occ`. */
  readonly propertyColumns: ReadonlyMap<string, string>;
  /** Identify trait key → column prefix in `tr`. */
  readonly traitColumns: ReadonlyMap<string, string>;
  /** Definition key → the table holding its answers (already materialised). */
  readonly answerTables: ReadonlyMap<string, string>;
}

export interface PeerDefinition {
  readonly key: string;
  readonly ast: DefinitionAst;
  readonly includeAnonymousUsers: boolean;
}

export function definitionSql(definition: PeerDefinition, table: string, context: SqlPlanContext): string {
  return new DefinitionTranslator(definition.key, context).statement(definition, table);
}

/** The tables a query block can join per person (`trait()` reads), with its joins so far. */
class Block {
  readonly joins: string[] = [];
  readonly traits = new Map<string, SqlValue>();

  constructor(readonly pid: string) {}
}

/** Which occurrence rows `property()` reads in a condition: the filtered row, and a funnel child's parent. */
interface RowScope {
  readonly event?: string;
  readonly parent?: string;
}

class DefinitionTranslator {
  private aliases = 0;

  constructor(
    private readonly key: string,
    private readonly context: SqlPlanContext,
  ) {}

  statement(definition: PeerDefinition, table: string): string {
    const block = new Block('p.pid');
    const qualifies = definition.includeAnonymousUsers ? 'TRUE' : `COALESCE(p.known_from <= ${this.context.at}, FALSE)`;
    let columns: string;
    if (definition.ast.kind === 'audience') {
      const holds = this.condition(definition.ast.root, block, {});
      columns = `${TYPE_CODE.boolean} AS t, ${NULL_NUMBER} AS n, CASE WHEN ${qualifies} AND (${holds}) IS TRUE THEN 'true' ELSE 'false' END AS s, ${NULL_TEXT} AS k`;
    } else {
      const value = this.value(definition.ast.root, block, {});
      // A person who does not qualify has no value, a count included (recompute-definitions.ts).
      const when = (expr: string, type: string): string => `CAST(CASE WHEN ${qualifies} THEN ${expr} END AS ${type})`;
      columns = `${when(value.t, 'TINYINT')} AS t, ${when(value.n, 'DOUBLE')} AS n, ${when(value.s, 'VARCHAR')} AS s, ${when(value.k, 'VARCHAR')} AS k`;
    }
    return `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT p.pid AS pid, ${columns} FROM persons p ${block.joins.join(' ')}`;
  }

  private alias(prefix: string): string {
    return `${prefix}${this.aliases++}`;
  }

  private unsupported(what: string): Error {
    return new Error(`definition ${this.key}: the DuckDB peer does not support ${what}`);
  }

  /** A SQL boolean: never NULL, except where a funnel child has not settled (Kleene unknown). */
  private condition(condition: Condition, block: Block, scope: RowScope): string {
    switch (condition.kind) {
      case 'and':
        return `(${condition.operands.map((c) => this.condition(c, block, scope)).join(' AND ')})`;
      case 'or':
        return `(${condition.operands.map((c) => this.condition(c, block, scope)).join(' OR ')})`;
      case 'not':
        return `(NOT ${this.condition(condition.operand, block, scope)})`;
      case 'quantified':
        throw this.unsupported(`account quantifiers (${condition.quantifier.toUpperCase()})`);
      case 'comparison': {
        const { subject, comparator } = condition;
        if (subject.kind === 'aggregate' && subject.stream.window?.kind === 'parent') return this.funnelChild(subject, comparator, block, scope);
        return this.compare(this.value(subject, block, scope), comparator, block, scope);
      }
    }
  }

  private compare(subject: SqlValue, comparator: Comparator, block: Block, scope: RowScope): string {
    const operands = 'operand' in comparator ? [comparator.operand] : 'operands' in comparator ? comparator.operands : [];
    return comparisonSql(
      subject,
      comparator,
      operands.map((o) => this.value(o, block, scope)),
      (what) => this.unsupported(what),
    );
  }

  private value(expr: ValueExpr, block: Block, scope: RowScope): SqlValue {
    switch (expr.kind) {
      case 'literal':
        return literalValue(expr.value);
      case 'trait':
        return this.trait(expr.key, block);
      case 'property': {
        const row = expr.scope === 'event' ? scope.event : scope.parent;
        if (row === undefined) throw this.unsupported(`property('${expr.path}') outside a where or reducer`);
        return this.propertyOf(row, expr.path);
      }
      case 'context':
        // The event log records no context: every context value is absent.
        return ABSENT;
      case 'aggregate': {
        if (scope.event !== undefined || expr.stream.window?.kind === 'parent') throw this.unsupported('an aggregate inside a where that is not a funnel child comparison');
        const rows = this.streamRows(expr.stream, undefined);
        const alias = this.alias('a');
        const field = expr.reducer.kind === 'count' ? ABSENT : this.fieldOf(rows.alias, expr.reducer.field);
        block.joins.push(`LEFT JOIN (${reducerQuery(expr.reducer, rows, field, true)}) ${alias} ON ${alias}.pid = ${block.pid}`);
        return reducerValue(expr.reducer, alias);
      }
    }
  }

  private propertyOf(row: string, path: string): SqlValue {
    const prefix = this.context.propertyColumns.get(path);
    if (prefix === undefined) throw new Error(`definition ${this.key}: property '${path}' was not loaded`);
    return columnsValue(`${row}.${prefix}`);
  }

  private fieldOf(row: string, field: { readonly source: 'property' | 'context'; readonly path: string }): SqlValue {
    return field.source === 'context' ? ABSENT : this.propertyOf(row, field.path);
  }

  /** A trait of the block's person: another definition's answer, or the latest identify value. */
  private trait(key: string, block: Block): SqlValue {
    const known = block.traits.get(key);
    if (known !== undefined) return known;
    let value: SqlValue;
    const answers = this.context.answerTables.get(key);
    if (answers !== undefined) {
      const alias = this.alias('ref');
      block.joins.push(`LEFT JOIN ${answers} ${alias} ON ${alias}.pid = ${block.pid}`);
      value = aliasValue(alias);
    } else {
      const prefix = this.context.traitColumns.get(key);
      if (prefix === undefined) throw new Error(`definition ${this.key}: trait '${key}' was not loaded`);
      const alias = this.alias('tr');
      block.joins.push(`LEFT JOIN tr ${alias} ON ${alias}.pid = ${block.pid}`);
      value = columnsValue(`${alias}.${prefix}`);
    }
    block.traits.set(key, value);
    return value;
  }

  /**
   * The occurrences of `stream` that count at `at`; `parent` is the parent row's alias for a
   * funnel child. The rows' own block collects the joins its `where` needs.
   */
  private streamRows(stream: Stream, parent: string | undefined): StreamRows {
    if (stream.excludeSources.length > 0) throw this.unsupported('sources({exclude}) (the event log records no source)');
    const { at } = this.context;
    const alias = this.alias(parent === undefined ? 'e' : 'c');
    const block = new Block(`${alias}.pid`);
    const predicates = [`${alias}.name = ${this.context.nameIds.get(stream.event) ?? -1}`, `${alias}.sent <= ${at}`, `${alias}.ts <= ${at}`];
    if (parent !== undefined) predicates.push(`${alias}.pid = ${parent}.pid`);
    const window = stream.window;
    if (window?.kind === 'within') predicates.push(`${alias}.ts > ${at - window.duration.ms}`);
    else if (window?.kind === 'between') predicates.push(`${alias}.ts > ${at - window.end.ms}`, `${alias}.ts <= ${at - window.start.ms}`);
    else if (window?.kind === 'parent') {
      if (parent === undefined) throw this.unsupported('within(parent: …) outside a funnel');
      predicates.push(`${alias}.ts > ${parent}.ts`, `${alias}.ts <= ${parent}.ts + ${window.duration.ms}`);
    }
    const scope: RowScope = parent === undefined ? { event: alias } : { event: alias, parent };
    for (const w of stream.where) predicates.push(`(${this.condition(w, block, scope)}) IS TRUE`);
    return { alias, from: `occ ${alias} ${block.joins.join(' ')}`, where: predicates.join(' AND ') };
  }

  /**
   * A comparison on a funnel child's aggregate for the parent row `scope.event` (SEMANTICS.md
   * "Funnels"): settled once `at >= parent.ts + D`; before that TRUE only when more children can
   * only keep it true (a count or unique count `>=`/`>` a literal number, or `!=` one it already
   * exceeds), else NULL: unknown, which keeps the parent out unless the rest of its `where`
   * decides without it.
   */
  private funnelChild(subject: Extract<ValueExpr, { kind: 'aggregate' }>, comparator: Comparator, block: Block, scope: RowScope): string {
    const parent = scope.event;
    const window = subject.stream.window;
    if (parent === undefined || window?.kind !== 'parent') throw this.unsupported('within(parent: …) outside a where');
    const rows = this.streamRows(subject.stream, parent);
    const alias = this.alias('f');
    const field = subject.reducer.kind === 'count' ? ABSENT : this.fieldOf(rows.alias, subject.reducer.field);
    block.joins.push(`LEFT JOIN LATERAL (${reducerQuery(subject.reducer, rows, field, false)}) ${alias} ON TRUE`);
    const value = reducerValue(subject.reducer, alias);
    const truth = this.compare(value, comparator, block, scope);
    const settled = `${this.context.at} >= ${parent}.ts + ${window.duration.ms}`;
    return `(CASE WHEN ${settled} THEN ${truth} WHEN ${truth} AND ${this.staysTrue(subject, comparator, value)} THEN TRUE ELSE NULL END)`;
  }

  private staysTrue(subject: Extract<ValueExpr, { kind: 'aggregate' }>, comparator: Comparator, value: SqlValue): string {
    if (subject.reducer.kind !== 'count' && subject.reducer.kind !== 'unique_count') return 'FALSE';
    if (!('operand' in comparator) || comparator.operand.kind !== 'literal' || typeof comparator.operand.value !== 'number') return 'FALSE';
    if (comparator.op === 'at_least' || comparator.op === 'greater_than') return 'TRUE';
    return comparator.op === 'differs' ? `(${value.n} > ${literalValue(comparator.operand.value).n})` : 'FALSE';
  }
}

/**
 * The warehouse-style peer of issue 8: the bench's event log loaded into DuckDB, every audience
 * and computed trait compiled from its parsed AST to SQL and recomputed from scratch at one
 * instant, as a warehouse tool would, so that Troupe's live answers can be diffed against it.
 *
 * Decisions (the semantics are SEMANTICS.md's and the reference evaluator's; these are the how):
 *
 * - Load (load-events.ts): one row per event in `occ` (track, page as `Page Viewed`) or `idf`
 *   (identify), persons and event names as integer ids. The properties and traits that the
 *   definitions read are flattened into typed columns (encode-value.ts: type, number, text,
 *   identity key) rather than kept as one JSON column: like a warehouse loader's one column per
 *   property, and it makes the text forms and identities exactly JavaScript's (`String(n)`,
 *   key-order-free objects), which DuckDB's JSON functions would not. The price: the set of
 *   definitions is known at load time (a new property needs a reload). Rows go in through the
 *   appender a data chunk at a time, without NULLs (column-appender.ts says why). The events
 *   ingestion would refuse are left out (an unreadable timestamp, one more than a year ahead,
 *   a track without a name), and a duplicated messageId keeps its first event (scan-log.ts).
 * - The instant `at` filters everything in SQL, nothing at load: an event counts once it has
 *   arrived (`sentAt <= at`) and its time has come (`ts <= at`; late events count where their
 *   timestamp falls, identify traits apply on arrival whatever their timestamp). So one load
 *   serves recomputes at several instants (`openPeer`).
 * - Recompute: one `CREATE TABLE … AS SELECT` per definition (definition-sql.ts), in dependency
 *   order so that `trait('trait_3')` joins trait_3's finished answers; identify traits first
 *   (profile-traits-sql.ts). Absent is NULL in four columns; funnel children that have not
 *   settled are NULL booleans, which SQL's AND/OR/NOT already treat as Kleene's unknown.
 * - Who qualifies (recompute-definitions.ts): a person with a user_id or email identifier by
 *   `at` (userId, or `traits.email` outside group calls, not a blocked value), or anyone for a
 *   definition with `includeAnonymousUsers`. Others get `false` for audiences and no value for
 *   computed traits, counts included.
 * - An audience read as a trait by another definition reads its answer, `true` or `false`. The
 *   engine's profile trait is `false` only after an exit and absent if the person was never a
 *   member: history a recompute does not have. No bench definition reads an audience.
 * - Not supported (a clear error names the definition and the construct): account audiences,
 *   `sources({exclude})` (the log records no source), date comparators (reading a value as a
 *   time follows Date.parse; no bench definition has one). `context(…)` reads are absent (the
 *   log records no context). `includeHistoricalData: false` is not modelled.
 * - Numbers: sums and averages are DuckDB's, whose order of summation is its own (the last bits
 *   of a fractional sum may differ from JavaScript's, as SEMANTICS.md allows between evaluators).
 * - The yardstick: reference-answers.ts computes the same map with the reference evaluator;
 *   test/int/peer/ holds the peer to it on seeded logs, for the bench's definitions and for the
 *   reference suite's generated ones.
 * - Timing: `loadMs` is the load; `recomputeMs` runs every definition's SQL at `at` and ends with
 *   every answer materialised in DuckDB; `readMs` is reading them back into JavaScript.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { DefinitionAst, DefinitionKind } from '../../src/definitions/ast.ts';
import { parseDefinition } from '../../src/definitions/parse-definition.ts';
import type { Json } from '../../src/shared/json.ts';
import type { LoggedEvent } from '../load/event-log.ts';
import { definitionFields } from './definition-fields.ts';
import { definitionSql, type PeerDefinition } from './definition-sql.ts';
import { dependencyOrder } from './dependency-order.ts';
import { loadEvents, type LoadedLog } from './load-events.ts';
import { profileTraitsSql } from './profile-traits-sql.ts';
import { readAnswers } from './read-answers.ts';
import { JS_NUMBER_TEXT_MACRO } from './value-sql.ts';

/** A definition as text (parsed here), or already parsed (tests that generate ASTs). */
export type PeerDefinitionInput = {
  readonly key: string;
  readonly kind: DefinitionKind;
  readonly includeAnonymousUsers?: boolean;
} & ({ readonly query: string } | { readonly ast: DefinitionAst });

export interface PeerInput {
  readonly events: readonly LoggedEvent[];
  readonly definitions: readonly PeerDefinitionInput[];
  /** The instant, epoch ms (the engine's clock). */
  readonly at: number;
}

/** Person → definition key → answer (audiences `true`/`false`; a computed trait's key is missing when it has no value). */
export type PeerAnswerMap = Map<string, Record<string, Json>>;

export interface PeerRecompute {
  readonly answers: PeerAnswerMap;
  readonly recomputeMs: number;
  readonly readMs: number;
}

export interface PeerResult extends PeerRecompute {
  readonly loadMs: number;
}

/** A loaded peer: recompute at any instant, then `close()`. */
export interface OpenPeer {
  readonly loadMs: number;
  readonly log: LoadedLog;
  recompute(at: number): Promise<PeerRecompute>;
  close(): void;
}

/** Loads the log, recomputes every definition at `at`, and closes the database. */
export async function computePeerAnswers(input: PeerInput): Promise<PeerResult> {
  const peer = await openPeer(input.events, input.definitions);
  try {
    return { ...(await peer.recompute(input.at)), loadMs: peer.loadMs };
  } finally {
    peer.close();
  }
}

interface ParsedDefinition extends PeerDefinition {
  readonly kind: DefinitionKind;
  readonly table: string;
  readonly reads: ReadonlySet<string>;
}

export async function openPeer(events: readonly LoggedEvent[], inputs: readonly PeerDefinitionInput[]): Promise<OpenPeer> {
  const parsed = inputs.map((input, i): ParsedDefinition => {
    const ast = definitionAst(input);
    return { key: input.key, kind: input.kind, ast, includeAnonymousUsers: input.includeAnonymousUsers ?? false, table: `d${i}`, reads: definitionFields([ast]).traitKeys };
  });
  const ordered = dependencyOrder(parsed, (d) => d.reads);
  const fields = definitionFields(parsed.map((d) => d.ast));
  const definitionKeys = new Set(parsed.map((d) => d.key));
  const identifyTraits = new Set([...fields.traitKeys].filter((key) => !definitionKeys.has(key)));

  const instance = await DuckDBInstance.create(':memory:');
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const loadStart = performance.now();
    const log = await loadEvents(connection, events, { properties: fields.properties, traitKeys: identifyTraits });
    const loadMs = performance.now() - loadStart;
    await connection.run(JS_NUMBER_TEXT_MACRO);
    const open = connection;
    return {
      loadMs,
      log,
      recompute: (at) => recompute(open, log, ordered, at),
      close: () => {
        open.closeSync();
        instance.closeSync();
      },
    };
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw error;
  }
}

async function recompute(connection: DuckDBConnection, log: LoadedLog, ordered: readonly ParsedDefinition[], at: number): Promise<PeerRecompute> {
  const start = performance.now();
  if (log.traitColumns.size > 0) await connection.run(profileTraitsSql(log.traitColumns, at));
  const answerTables = new Map<string, string>();
  for (const definition of ordered) {
    const context = { at, nameIds: log.nameIds, propertyColumns: log.propertyColumns, traitColumns: log.traitColumns, answerTables };
    await connection.run(definitionSql(definition, definition.table, context));
    answerTables.set(definition.key, definition.table);
  }
  const recomputeMs = performance.now() - start;
  const readStart = performance.now();
  const answers = await readAnswers(connection, log.persons, ordered);
  return { answers, recomputeMs, readMs: performance.now() - readStart };
}

/** The checked AST of a definition (`target: 'USERS'`); a query that does not parse throws, naming the definition. */
export function definitionAst(input: PeerDefinitionInput): DefinitionAst {
  if ('ast' in input) return input.ast;
  const parsed = parseDefinition(input.query, { kind: input.kind, target: 'USERS' });
  if (!parsed.ok) throw new Error(`definition ${input.key}: ${parsed.error.message}`);
  return parsed.value;
}

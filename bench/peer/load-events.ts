import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, TINYINT, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { compileBlockedValues, isBlockedValue } from '../../src/identity/blocked-values.ts';
import type { Json, JsonObject } from '../../src/shared/json.ts';
import type { LoggedEvent } from '../load/event-log.ts';
import { encodeValue, type EncodedValue } from './encode-value.ts';

/**
 * Loads an event log into three DuckDB tables, the warehouse the peer's SQL reads:
 *
 * - `persons(pid, known_from)`: one row per person of the log; `known_from` is the earliest
 *   `sentAt` of a call that gave the person a user_id or an email identifier (null: never), so
 *   "known at `at`" is `known_from <= at`.
 * - `occ(pid, name, ts, sent, mid, p<i>_t, p<i>_n, p<i>_s, p<i>_k …)`: one row per occurrence
 *   (track call, page call as `Page Viewed`), with each property a definition reads flattened
 *   into the four value columns of encode-value.ts.
 * - `idf(pid, seq, ts, sent, r<j>_set, r<j>_t, …)`: one row per identify call, with each trait
 *   key a definition reads (`r<j>_set`: the call carried the key, `null` included, which removes
 *   the trait).
 *
 * Events are deduplicated by messageId (the first in log order stays), as ingestion does.
 * Persons and event names become integer ids: a DuckDB appender takes a number about five times
 * faster than a string, and joins and filters on integers are cheaper too. Occurrences are
 * appended grouped by name, so that each definition's `name = …` filter skips whole row groups.
 */
export interface LoadedLog {
  /** `persons[pid]` is the person's name in the log. */
  readonly persons: readonly string[];
  /** Occurrence name → `occ.name` id. */
  readonly nameIds: ReadonlyMap<string, number>;
  /** Property path → column prefix in `occ` (`p0`). */
  readonly propertyColumns: ReadonlyMap<string, string>;
  /** Identify trait key → column prefix in `idf` (`r0`). */
  readonly traitColumns: ReadonlyMap<string, string>;
  readonly occurrences: number;
  readonly identifies: number;
}

export interface LoadSpec {
  /** Property paths to flatten, each with whether numbers need their text form. */
  readonly properties: ReadonlyMap<string, { readonly numberText: boolean }>;
  /** Identify trait keys to flatten. */
  readonly traitKeys: ReadonlySet<string>;
}

const BLOCKED = compileBlockedValues([], false);

export async function loadEvents(connection: DuckDBConnection, events: readonly LoggedEvent[], spec: LoadSpec): Promise<LoadedLog> {
  const persons: string[] = [];
  const pidOf = new Map<string, number>();
  const knownFrom: Array<number | null> = [];
  const nameIds = new Map<string, number>();
  // Occurrence rows grouped by name id (indices into `events`), identify rows in log order.
  const byName: number[][] = [];
  const occurrenceName: number[] = new Array<number>(events.length);
  const identifies: number[] = [];
  const seen = new Set<string>();

  events.forEach((logged, index) => {
    const { call } = logged;
    if (seen.has(call.messageId)) return;
    seen.add(call.messageId);
    let pid = pidOf.get(logged.person);
    if (pid === undefined) {
      pid = persons.length;
      pidOf.set(logged.person, pid);
      persons.push(logged.person);
      knownFrom.push(null);
    }
    if (carriesKnownIdentifier(call)) {
      const from = knownFrom[pid];
      if (from === null || from === undefined || logged.sentAt < from) knownFrom[pid] = logged.sentAt;
    }
    const name = call.type === 'track' ? call.event : call.type === 'page' ? 'Page Viewed' : undefined;
    if (name !== undefined) {
      let id = nameIds.get(name);
      if (id === undefined) {
        id = nameIds.size;
        nameIds.set(name, id);
        byName.push([]);
      }
      byName[id]!.push(index);
      occurrenceName[index] = id;
    } else if (call.type === 'identify') identifies.push(index);
  });

  const propertyPaths = [...spec.properties.entries()].map(([path, { numberText }], i) => ({ path, keys: path.split('.'), numberText, prefix: `p${i}` }));
  const traitKeys = [...spec.traitKeys].map((key, j) => ({ key, prefix: `r${j}` }));

  await connection.run('CREATE OR REPLACE TABLE persons (pid INTEGER, known_from BIGINT)');
  const personRows = new ColumnAppender(await connection.createAppender('persons'), [INTEGER, BIGINT]);
  persons.forEach((_, pid) => {
    const from = knownFrom[pid];
    personRows.row([pid, from === null || from === undefined ? null : BigInt(from)]);
  });
  personRows.close();

  const valueColumns = (prefix: string): string => `${prefix}_t TINYINT, ${prefix}_n DOUBLE, ${prefix}_s VARCHAR, ${prefix}_k VARCHAR`;
  const valueTypes: DuckDBType[] = [TINYINT, DOUBLE, VARCHAR, VARCHAR];
  await connection.run(
    `CREATE OR REPLACE TABLE occ (pid INTEGER, name INTEGER, ts BIGINT, sent BIGINT, mid VARCHAR${propertyPaths.map((p) => `, ${valueColumns(p.prefix)}`).join('')})`,
  );
  const occRows = new ColumnAppender(await connection.createAppender('occ'), [INTEGER, INTEGER, BIGINT, BIGINT, VARCHAR, ...propertyPaths.flatMap(() => valueTypes)]);
  let occurrences = 0;
  for (const indices of byName) {
    for (const index of indices) {
      const logged = events[index]!;
      const { call } = logged;
      const row: DuckDBValue[] = [pidOf.get(logged.person)!, occurrenceName[index]!, BigInt(Date.parse(call.timestamp)), BigInt(logged.sentAt), call.messageId];
      for (const p of propertyPaths) pushValue(row, encodeValue(readProperty(call, p.keys, p.path), p.numberText));
      occRows.row(row);
      occurrences++;
    }
  }
  occRows.close();

  await connection.run(
    `CREATE OR REPLACE TABLE idf (pid INTEGER, seq INTEGER, ts BIGINT, sent BIGINT${traitKeys.map((t) => `, ${t.prefix}_set BOOLEAN, ${valueColumns(t.prefix)}`).join('')})`,
  );
  const idfRows = new ColumnAppender(await connection.createAppender('idf'), [INTEGER, INTEGER, BIGINT, BIGINT, ...traitKeys.flatMap(() => [BOOLEAN, ...valueTypes])]);
  for (const index of identifies) {
    const logged = events[index]!;
    const { call } = logged;
    const row: DuckDBValue[] = [pidOf.get(logged.person)!, index, BigInt(Date.parse(call.timestamp)), BigInt(logged.sentAt)];
    for (const t of traitKeys) {
      const set = call.traits !== undefined && Object.hasOwn(call.traits, t.key);
      row.push(set);
      // Traits are few and small: their numbers always carry their text.
      pushValue(row, encodeValue(set ? call.traits[t.key] : undefined, true));
    }
    idfRows.row(row);
  }
  idfRows.close();

  return {
    persons,
    nameIds,
    propertyColumns: new Map(propertyPaths.map((p) => [p.path, p.prefix])),
    traitColumns: new Map(traitKeys.map((t) => [t.key, t.prefix])),
    occurrences,
    identifies: identifies.length,
  };
}

/**
 * Whether the call gives its profile a user_id or an email identifier (extract-identifiers.ts:
 * `userId`, and `traits.email` except on group calls, whose traits describe the group), after
 * the default blocked values. These are the "known" identifier types of recompute-definitions.ts
 * that a logged call can carry (the log has no `context`, so no device advertising ids).
 */
function carriesKnownIdentifier(call: LoggedEvent['call']): boolean {
  if (typeof call.userId === 'string' && !isBlockedValue(BLOCKED, call.userId)) return true;
  const email = call.type === 'group' || call.traits === undefined ? undefined : call.traits['email'];
  return typeof email === 'string' && !isBlockedValue(BLOCKED, email);
}

/**
 * `property('a.b')` of an occurrence (SEMANTICS.md "Values"): a dotted path through objects, own
 * keys only; a page call's `name` answers `page_name` when the properties have no value there.
 */
function readProperty(call: LoggedEvent['call'], keys: readonly string[], path: string): Json | undefined {
  let current: Json | undefined = call.properties as JsonObject | undefined;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) {
      current = undefined;
      break;
    }
    current = current[key];
  }
  if ((current === undefined || current === null) && call.type === 'page' && path === 'page_name') return call.name;
  return current;
}

function pushValue(row: DuckDBValue[], value: EncodedValue): void {
  row.push(value.t, value.n, value.s, value.k);
}

/**
 * Rows gathered column by column into DuckDB data chunks of the vector size (2,048 rows) and
 * appended a chunk at a time: one native call per chunk and column instead of one per value.
 */
class ColumnAppender {
  private static readonly CHUNK_ROWS = 2048;
  private columns: DuckDBValue[][];

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly DuckDBType[],
  ) {
    this.columns = types.map(() => []);
  }

  row(values: readonly DuckDBValue[]): void {
    for (let i = 0; i < values.length; i++) this.columns[i]!.push(values[i] ?? null);
    if (this.columns[0]!.length === ColumnAppender.CHUNK_ROWS) this.flush();
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  private flush(): void {
    const rows = this.columns[0]!.length;
    if (rows === 0) return;
    const chunk = DuckDBDataChunk.create([...this.types], rows);
    chunk.setColumns(this.columns);
    this.appender.appendDataChunk(chunk);
    this.columns = this.types.map(() => []);
  }
}

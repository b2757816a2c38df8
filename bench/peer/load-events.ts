import { BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { Json, JsonObject } from '../../src/shared/json.ts';
import type { LoggedEvent } from '../load/event-log.ts';
import { appendTable } from './column-appender.ts';
import { encodeValue } from './encode-value.ts';
import { scanLog } from './scan-log.ts';
import { ValueColumns } from './value-columns.ts';

/**
 * Loads an event log into three DuckDB tables, the warehouse the peer's SQL reads:
 *
 * - `persons(pid, known_from)`: one row per person of the log; `known_from` is the earliest
 *   `sentAt` of a call that gave the person a user_id or an email identifier (NULL: never), so
 *   "known at `at`" is `known_from <= at`.
 * - `occ(pid, name, ts, sent, mid, p<i>_t, p<i>_n, p<i>_s, p<i>_k …)`: one row per occurrence
 *   (track call, page call as `Page Viewed`), with each property a definition reads flattened
 *   into the four value columns of encode-value.ts.
 * - `idf(pid, seq, ts, sent, r<j>_set, r<j>_t, …)`: one row per identify call, with each trait
 *   key a definition reads (`r<j>_set`: the call carried the key, `null` included, which removes
 *   the trait); `seq` is the position in the log, which breaks ties of timestamp.
 *
 * Persons and event names become integer ids: a DuckDB appender takes a number several times
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

/**
 * Times are appended as doubles (epoch ms are integers far below 2^53, so exactly) and made
 * BIGINT in SQL: a JavaScript BigInt per value cost 0.7 s per million.
 */
const TIMES = 'CAST(ts AS BIGINT) AS ts, CAST(sent AS BIGINT) AS sent';

export async function loadEvents(connection: DuckDBConnection, events: readonly LoggedEvent[], spec: LoadSpec): Promise<LoadedLog> {
  const scan = scanLog(events);

  await appendTable(connection, 'persons', [
    { name: 'pid', type: INTEGER, values: scan.persons.map((_, pid) => pid) },
    { name: 'known_from', type: BIGINT, values: scan.knownFrom.map((from) => (from === null ? null : BigInt(from))) },
  ]);

  const properties = [...spec.properties.entries()].map(([path, { numberText }], i) => ({ path, keys: path.split('.'), columns: new ValueColumns(`p${i}`, numberText) }));
  const occ = { pid: [] as number[], name: [] as number[], ts: [] as number[], sent: [] as number[], mid: [] as string[] };
  scan.occurrencesByName.forEach((indices, nameId) => {
    for (const index of indices) {
      const logged = events[index]!;
      occ.pid.push(scan.pidOf[index]!);
      occ.name.push(nameId);
      occ.ts.push(scan.timestamps[index]!);
      occ.sent.push(logged.sentAt);
      occ.mid.push(logged.call.messageId);
      for (const p of properties) p.columns.push(encodeValue(readProperty(logged.call, p.keys, p.path), p.columns.numberText));
    }
  });
  await appendTable(connection, 'occ_raw', [
    { name: 'pid', type: INTEGER, values: occ.pid },
    { name: 'name', type: INTEGER, values: occ.name },
    { name: 'ts', type: DOUBLE, values: occ.ts },
    { name: 'sent', type: DOUBLE, values: occ.sent },
    { name: 'mid', type: VARCHAR, values: occ.mid },
    ...properties.flatMap((p) => p.columns.columns()),
  ]);
  await connection.run(`CREATE OR REPLACE TABLE occ AS SELECT pid, name, ${TIMES}, mid${properties.map((p) => `, ${p.columns.select()}`).join('')} FROM occ_raw`);
  await connection.run('DROP TABLE occ_raw');

  const traits = [...spec.traitKeys].map((key, j) => ({ key, columns: new ValueColumns(`r${j}`, true), set: [] as boolean[] }));
  const idf = { pid: [] as number[], seq: [] as number[], ts: [] as number[], sent: [] as number[] };
  for (const index of scan.identifies) {
    const logged = events[index]!;
    idf.pid.push(scan.pidOf[index]!);
    idf.seq.push(index);
    idf.ts.push(scan.timestamps[index]!);
    idf.sent.push(logged.sentAt);
    const carried = logged.call.traits;
    for (const t of traits) {
      const set = carried !== undefined && Object.hasOwn(carried, t.key);
      t.set.push(set);
      t.columns.push(encodeValue(set ? carried[t.key] : undefined, true));
    }
  }
  await appendTable(connection, 'idf_raw', [
    { name: 'pid', type: INTEGER, values: idf.pid },
    { name: 'seq', type: INTEGER, values: idf.seq },
    { name: 'ts', type: DOUBLE, values: idf.ts },
    { name: 'sent', type: DOUBLE, values: idf.sent },
    ...traits.flatMap((t) => [{ name: `${t.columns.prefix}_set`, type: BOOLEAN, values: t.set }, ...t.columns.columns()]),
  ]);
  await connection.run(
    `CREATE OR REPLACE TABLE idf AS SELECT pid, seq, ${TIMES}${traits.map((t) => `, ${t.columns.prefix}_set, ${t.columns.select()}`).join('')} FROM idf_raw`,
  );
  await connection.run('DROP TABLE idf_raw');

  return {
    persons: scan.persons,
    nameIds: scan.nameIds,
    propertyColumns: new Map(properties.map((p) => [p.path, p.columns.prefix])),
    traitColumns: new Map(traits.map((t) => [t.key, t.columns.prefix])),
    occurrences: occ.pid.length,
    identifies: scan.identifies.length,
  };
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

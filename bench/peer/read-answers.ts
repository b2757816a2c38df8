import type { DuckDBConnection } from '@duckdb/node-api';
import type { Json } from '../../src/shared/json.ts';
import { decodeValue } from './encode-value.ts';

/**
 * Every person's answers, read back from the definitions' answer tables (one row per person, in
 * `pid` order): audiences `true`/`false`, computed traits their value, or no key when absent.
 */
export async function readAnswers(
  connection: DuckDBConnection,
  persons: readonly string[],
  tables: readonly { readonly key: string; readonly kind: 'audience' | 'computed_trait'; readonly table: string }[],
): Promise<Map<string, Record<string, Json>>> {
  const records: Record<string, Json>[] = persons.map(() => ({}));
  for (const { key, kind, table } of tables) {
    const reader = await connection.runAndReadAll(`SELECT pid, t, n, s FROM ${table} ORDER BY pid`);
    const [pids, types, numbers, texts] = reader.getColumns();
    if (pids === undefined || types === undefined || numbers === undefined || texts === undefined) throw new Error(`${table}: expected four columns`);
    for (let row = 0; row < pids.length; row++) {
      const record = records[Number(pids[row])];
      if (record === undefined) throw new Error(`${table}: a row for an unknown person id ${String(pids[row])}`);
      const text = texts[row];
      if (kind === 'audience') {
        record[key] = text === 'true';
        continue;
      }
      const value = decodeValue(asNumberOrNull(types[row]), asNumberOrNull(numbers[row]), typeof text === 'string' ? text : null);
      if (value !== undefined) record[key] = value;
    }
  }
  return new Map(persons.map((person, pid) => [person, records[pid]!]));
}

function asNumberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
}

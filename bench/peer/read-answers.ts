import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Json } from '../../src/shared/json.ts';
import { decodeValue } from './encode-value.ts';

/**
 * Every person's answers, read back from the definitions' answer tables: audiences `true` or
 * `false`, computed traits their value, or no key when absent. Only members and present values
 * cross into JavaScript (every value read costs about half a microsecond); the rest is implied.
 */
export async function readAnswers(
  connection: DuckDBConnection,
  persons: readonly string[],
  tables: readonly { readonly key: string; readonly kind: 'audience' | 'computed_trait'; readonly table: string }[],
): Promise<Map<string, Record<string, Json>>> {
  const records: Record<string, Json>[] = persons.map(() => ({}));
  const recordOf = (pid: DuckDBValue | undefined, table: string): Record<string, Json> => {
    const record = records[Number(pid)];
    if (record === undefined) throw new Error(`${table}: a row for an unknown person id ${String(pid)}`);
    return record;
  };
  for (const { key, kind, table } of tables) {
    if (kind === 'audience') {
      for (const record of records) record[key] = false;
      const [pids = []] = (await connection.runAndReadAll(`SELECT pid FROM ${table} WHERE s = 'true'`)).getColumns();
      for (const pid of pids) recordOf(pid, table)[key] = true;
      continue;
    }
    const [pids = [], types = [], numbers = [], texts = []] = (await connection.runAndReadAll(`SELECT pid, t, n, s FROM ${table} WHERE t IS NOT NULL`)).getColumns();
    for (let row = 0; row < pids.length; row++) {
      const text = texts[row];
      const value = decodeValue(asNumberOrNull(types[row]), asNumberOrNull(numbers[row]), typeof text === 'string' ? text : null);
      if (value !== undefined) recordOf(pids[row], table)[key] = value;
    }
  }
  return new Map(persons.map((person, pid) => [person, records[pid]!]));
}

function asNumberOrNull(value: DuckDBValue | undefined): number | null {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
}

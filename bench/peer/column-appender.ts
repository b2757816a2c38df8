import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

/** One column of a table to load: its values in row order, none of them NULL (see appendTable). */
export interface Column {
  readonly name: string;
  readonly type: DuckDBType;
  readonly values: readonly DuckDBValue[];
}

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/**
 * Creates `table` with `columns` and appends their values a data chunk at a time: one call per
 * chunk and column instead of one per value. The columns should hold no NULL: @duckdb/node-api
 * keeps a chunk's validity mask as BigInts and pays several BigInt operations for every value of
 * a chunk that has one NULL, which tripled the load time; callers write a placeholder instead
 * and restore the NULLs in SQL afterwards (value-columns.ts).
 */
export async function appendTable(connection: DuckDBConnection, table: string, columns: readonly Column[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${columns.map((c) => `${c.name} ${c.type.toString()}`).join(', ')})`);
  const appender = await connection.createAppender(table);
  try {
    const types = columns.map((c) => c.type);
    const rows = columns[0]?.values.length ?? 0;
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const end = Math.min(rows, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, end - start);
      chunk.setColumns(columns.map((c) => c.values.slice(start, end)));
      appender.appendDataChunk(chunk);
    }
  } finally {
    appender.closeSync();
  }
}

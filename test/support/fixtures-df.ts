/**
 * Fixtures for DataFrame-verb and join tests: small Parquet tables written by DuckDB into a temp
 * directory (several files per table, so scans have several tasks), with NULLs, ties and
 * duplicate join keys, and a DuckDB connection that answers SQL over the same files as the oracle.
 *
 * Tables (columns in file order):
 * - `l` (60 rows, 3 files): k int32 (0..8, dups, NULLs), k2 string ('a'..'c', NULLs), id int32
 *   (unique 0..59), v float64 (ties, NULLs), s string (ties, NULLs), big int64 (NULLs)
 * - `r` (40 rows, 2 files): k int32 (0..11 but not 4, and 20; dups, NULLs), k2 string ('a'..'d', NULLs), rid int32
 *   (unique 100..139), w float64, kf float64 (= k, or k + 0.5 that matches nothing, NULLs)
 * - `u` (48 rows, 3 files): id int32 (unique), t string (code-point vs UTF-16 order differs:
 *   '😀…' vs 'ｆｕｌｌ'), f float64 (NaN, NULLs, ties)
 *
 * @example
 * const fx = await writeDfFixtures(tempDir());
 * const df = s.read.parquet(fx.path.l);
 * const expected = await fx.query(`SELECT * FROM ${fx.sql.l} ORDER BY id`);
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runQuery, typedRowsFromArrow, type TypedResult } from './fixtures.js';

export type TableName = 'l' | 'r' | 'u';

/** A result with the engine type name of each column (int32, int64, float64, string, date, bool). */
export type { TypedResult };

export interface DfFixtures {
  /** Directory of each table's Parquet files (for `s.read.parquet`). */
  readonly path: Readonly<Record<TableName, string>>;
  /** `read_parquet('<dir>/*.parquet')` of each table, for DuckDB FROM clauses. */
  readonly sql: Readonly<Record<TableName, string>>;
  /** Run SQL in DuckDB. */
  query(sql: string): Promise<TypedResult>;
  close(): void;
}

const L_SQL = `
  SELECT
    CASE WHEN id % 11 = 5 THEN NULL ELSE (id * 7) % 9 END::INTEGER AS k,
    CASE WHEN id % 13 = 4 THEN NULL ELSE chr((97 + id % 3)::INTEGER) END AS k2,
    id::INTEGER AS id,
    CASE WHEN id % 7 = 2 THEN NULL ELSE ((id * 37) % 23 - 11) / 4.0 END::DOUBLE AS v,
    CASE WHEN id % 10 = 3 THEN NULL ELSE list_extract(['pear', 'apple', 'fig', 'kiwi', 'Apple', '', 'äpfel', 'fig '], (id % 8 + 1)::INTEGER) END AS s,
    CASE WHEN id % 9 = 0 THEN NULL ELSE (id * 1000003) % 97 END::BIGINT AS big
  FROM range(0, 60) AS t(id)`;

const R_SQL = `
  SELECT
    CASE WHEN rid % 9 = 1 THEN NULL ELSE base END::INTEGER AS k,
    CASE WHEN rid % 7 = 3 THEN NULL ELSE chr((97 + rid % 4)::INTEGER) END AS k2,
    rid::INTEGER AS rid,
    ((rid % 17) / 2.0 - 2)::DOUBLE AS w,
    CASE WHEN rid % 9 = 1 THEN NULL WHEN rid % 10 = 7 THEN base + 0.5 ELSE base END::DOUBLE AS kf
  FROM (SELECT rid, CASE WHEN (rid * 5) % 12 = 4 THEN 20 ELSE (rid * 5) % 12 END AS base FROM range(100, 140) AS t(rid))`;

const U_SQL = `
  SELECT
    id::INTEGER AS id,
    CASE WHEN id % 9 = 4 THEN NULL ELSE list_extract(['😀 smile', 'ｆｕｌｌ', 'zebra', 'Ω', '~tilde', 'ａ', '😀', 'abc'], (id % 8 + 1)::INTEGER) END AS t,
    CASE WHEN id % 7 = 3 THEN NULL WHEN id % 5 = 1 THEN 'NaN'::DOUBLE ELSE (id % 6 - 2) * 1.5 END::DOUBLE AS f
  FROM range(0, 48) AS g(id)`;

const TABLES: Readonly<Record<TableName, { sql: string; files: number; id: string }>> = {
  l: { sql: L_SQL, files: 3, id: 'id' },
  r: { sql: R_SQL, files: 2, id: 'rid' },
  u: { sql: U_SQL, files: 3, id: 'id' },
};

const quote = (s: string) => s.replaceAll("'", "''");

/** Write every table under `dir/<table>/part-<i>.parquet` and open a DuckDB over them. */
export async function writeDfFixtures(dir: string): Promise<DfFixtures> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const paths = {} as Record<TableName, string>;
  const sqls = {} as Record<TableName, string>;
  for (const [name, t] of Object.entries(TABLES) as [TableName, (typeof TABLES)[TableName]][]) {
    const tableDir = path.join(dir, name);
    fs.mkdirSync(tableDir, { recursive: true });
    for (let i = 0; i < t.files; i++) {
      const file = path.join(tableDir, `part-${i}.parquet`);
      await connection.run(
        `COPY (SELECT * FROM (${t.sql}) WHERE ${t.id} % ${t.files} = ${i} ORDER BY ${t.id}) TO '${quote(file)}' (FORMAT parquet)`,
      );
    }
    paths[name] = tableDir;
    sqls[name] = `read_parquet('${quote(tableDir)}/*.parquet')`;
  }
  return {
    path: paths,
    sql: sqls,
    query: (sql) => runQuery(connection, sql),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** An Arrow result as plain rows with engine type names. */
export const typedRows = typedRowsFromArrow;

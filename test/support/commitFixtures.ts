/**
 * Fixtures for commit tests: small Parquet inputs written by DuckDB (id INTEGER, v VARCHAR,
 * p INTEGER = id % 2, so a `partitionBy('p')` write makes two files), readers of a destination
 * as Stratus and as DuckDB see it, and what other engines find in the directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { col, count, type Session } from '../../src/index.js';
import { runQuery, typedRowsFromArrow, type TypedResult } from './fixtures.js';

export const sq = (p: string) => `'${p.replaceAll("'", "''")}'`;

/** Write ids [from, from + n) as one Parquet file. */
export async function writeInput(db: DuckDBConnection, file: string, from: number, n: number): Promise<string> {
  await db.run(
    `COPY (SELECT (${from} + i)::INTEGER AS id, 'v' || (${from} + i) AS v, ((${from} + i) % 2)::INTEGER AS p FROM range(${n}) r(i)) TO ${sq(file)} (FORMAT parquet)`,
  );
  return file;
}

/**
 * A two-stage job over `writeInput` files (a shuffle by `p`, then the final count): its rows per
 * `p`, in order. Used where a test needs several rounds and watches the job, not the answer.
 */
export function countsByP(s: Session, input: string): Promise<Record<string, unknown>[]> {
  return s.read
    .parquet(input)
    .groupBy('p')
    .agg(count(col('id')).alias('n'))
    .orderBy('p')
    .collectRows();
}

/** The rows of some input files, as DuckDB reads them (the expected content of an output). */
export function inputRows(db: DuckDBConnection, files: readonly string[]): Promise<TypedResult> {
  if (!files.length)
    return Promise.resolve({ columns: ['id', 'v', 'p'], types: ['int32', 'string', 'int32'], rows: [] });
  return runQuery(db, `SELECT id, v, p FROM read_parquet([${files.map(sq).join(', ')}])`);
}

/** The destination as a Stratus reader sees it, or 'missing' when the dataset does not exist. */
export async function stratusRows(s: Session, dest: string): Promise<TypedResult | 'missing'> {
  try {
    return typedRowsFromArrow(await s.read.parquet(dest).select('id', 'v', 'p').collect());
  } catch (e) {
    if ((e as { code?: string }).code === 'NOT_FOUND') return 'missing';
    throw e;
  }
}

/** The destination's partitioned data files as DuckDB lists them (the `p=<value>` directories, hive partitioning). */
export async function duckRows(db: DuckDBConnection, dest: string): Promise<TypedResult> {
  const any =
    fs.existsSync(dest) &&
    fs.readdirSync(dest).some((d) => d.startsWith('p=') && fs.readdirSync(path.join(dest, d)).length);
  if (!any) return { columns: ['id', 'v', 'p'], types: ['int32', 'string', 'int32'], rows: [] };
  return runQuery(
    db,
    `SELECT id, v, p::INTEGER AS p FROM read_parquet(${sq(`${dest}/p=*/*.parquet`)}, hive_partitioning = true)`,
  );
}

export const ids = (r: TypedResult) => r.rows.map((row) => row[0] as number).sort((a, b) => a - b);

/** Every file below a directory, relative, sorted. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

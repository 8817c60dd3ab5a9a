/**
 * Generated test tables: SQL run in an in-memory DuckDB (the oracle the test then queries), written
 * as Parquet files (one per WHERE slice, small row groups) so Stratus reads them as several scan
 * tasks, each also a DuckDB view named after the table; and a pair of sessions with partial
 * aggregation on and off.
 *
 * @example
 * const fx = await generatedTables(dir, { t: { sql: T_SQL, parts: ['id < 200', 'id >= 200'], rowGroup: 40 } });
 * await fx.duck.query(`SELECT count(*) FROM ${fx.sql('t')}`);
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Session, session } from '../../src/index.js';
import { runQuery, type TypedResult } from './fixtures.js';
import { tempDir } from './tpch.js';

export interface GeneratedTable {
  /** A SELECT producing the rows. */
  readonly sql: string;
  /** One WHERE condition per file; one file of all rows when left out. */
  readonly parts?: readonly string[];
  /** Rows per row group; DuckDB's default when left out. */
  readonly rowGroup?: number;
}

export interface Generated {
  readonly duck: { query(sql: string): Promise<TypedResult>; close(): void };
  /** The folder of table `name`'s files. */
  path(name: string): string;
  /** DuckDB's read_parquet(...) of table `name`. */
  sql(name: string): string;
}

export async function generatedTables(
  dir: string,
  tables: Readonly<Record<string, GeneratedTable>>,
): Promise<Generated> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const [name, t] of Object.entries(tables)) {
    mkdirSync(path.join(dir, name));
    const rowGroup = t.rowGroup === undefined ? '' : `, ROW_GROUP_SIZE ${t.rowGroup}`;
    for (const [i, where] of (t.parts ?? ['true']).entries())
      await connection.run(
        `COPY (SELECT * FROM (${t.sql}) WHERE ${where}) TO '${path.join(dir, name, `part-${i}.parquet`)}' (FORMAT parquet${rowGroup})`,
      );
    await connection.run(`CREATE VIEW "${name}" AS SELECT * FROM ${readParquet(dir, name)}`);
  }
  return {
    duck: {
      query: (sql) => runQuery(connection, sql),
      close: () => {
        connection.closeSync();
        instance.closeSync();
      },
    },
    path: (name) => path.join(dir, name),
    sql: (name) => readParquet(dir, name),
  };
}

const readParquet = (dir: string, name: string) => `read_parquet('${path.join(dir, name)}/*.parquet')`;

/** Two sessions over small tasks and three shuffle partitions: partial aggregation on, and off. */
export function partialOnAndOff(executors: number): { on: Session; off: Session } {
  const job = { shufflePartitions: 3, taskBytes: 1500 };
  return {
    on: session({ store: tempDir(), executors, progress: false, job }),
    off: session({
      store: tempDir(),
      executors,
      progress: false,
      job: { ...job, disabledRules: ['partial_aggregation'] },
    }),
  };
}

/**
 * DuckDB as the independent oracle for Stratus query results: runs SQL over views named
 * like the TPC-H tables, each over `<dataDir>/<table>/*.parquet`, and returns rows as plain
 * JS values (see `Cell` in compare.ts). One DuckDB instance per dataDir is cached.
 *
 * @example
 * const { columns, rows } = await duckdbQuery(tpchSql(6), '/work/shared/data/tpch-sf0.1');
 */
import { DuckDBInstance, DuckDBDateValue, DuckDBDecimalValue, type DuckDBValue } from '@duckdb/node-api';
import { TPCH_TABLES } from '../../benchmarks/tpch/sql/index.js';
import { decimalCell, isoDateFromDays, type Cell, type ResultSet } from './compare.js';

const instances = new Map<string, Promise<DuckDBInstance>>();

/** Run `sql` against the TPC-H tables stored under `dataDir`. */
export async function duckdbQuery(sql: string, dataDir: string): Promise<ResultSet> {
  const instance = await instanceFor(dataDir);
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const rows = reader.getRows().map((row) => row.map((value, i) => toCell(value, columns[i] ?? `#${i}`)));
    return { columns, rows };
  } finally {
    connection.closeSync();
  }
}

/** Close every cached DuckDB instance (e.g. in an `afterAll`). */
export async function closeDuckdbOracles(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  for (const instance of await Promise.all(all)) instance.closeSync();
}

function instanceFor(dataDir: string): Promise<DuckDBInstance> {
  let cached = instances.get(dataDir);
  if (cached === undefined) {
    cached = createInstance(dataDir);
    cached.catch(() => instances.delete(dataDir));
    instances.set(dataDir, cached);
  }
  return cached;
}

async function createInstance(dataDir: string): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const table of TPCH_TABLES) {
      const glob = `${dataDir.replace(/\/+$/, '')}/${table}/*.parquet`.replaceAll("'", "''");
      await connection.run(`create view ${table} as select * from read_parquet('${glob}')`);
    }
  } finally {
    connection.closeSync();
  }
  return instance;
}

function toCell(value: DuckDBValue, column: string): Cell {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof DuckDBDecimalValue) return decimalCell(value.value, value.scale); // exact
  if (value instanceof DuckDBDateValue) return isoDateFromDays(value.days);
  throw new Error(
    `oracle: column "${column}" has a value of unsupported DuckDB type (${value.constructor.name}: ${String(value)}); cast it in the SQL`,
  );
}

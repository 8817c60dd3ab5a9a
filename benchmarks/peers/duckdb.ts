/**
 * DuckDB runner process: an in-memory DuckDB with `SET threads=N` and one view per TPC-H table
 * over its Parquet files, running the spec SQL (`tpchSql(n)`) for all 22 queries. The timed part
 * is `runAndReadAll`, which materializes the whole result.
 */
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBValue,
} from '@duckdb/node-api';
import { TPCH_QUERY_COUNT, TPCH_TABLES, tpchSql } from '../tpch/sql/index.js';
import { decimalCell, isoDateFromDays, type Cell, type ResultSet } from '../compare.js';
import { serveRunner, type EngineAdapter, type RunnerArgs } from './protocol.js';

async function open(args: RunnerArgs): Promise<EngineAdapter<DuckDBResultReader>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`SET threads = ${Number(args.threads)}`);
  for (const table of TPCH_TABLES) {
    const glob = `${args.dataDir.replace(/\/+$/, '')}/${table}/*.parquet`.replaceAll("'", "''");
    await connection.run(`create view ${table} as select * from read_parquet('${glob}')`);
  }
  return {
    supports: (q) => Number.isInteger(q) && q >= 1 && q <= TPCH_QUERY_COUNT,
    run: (q) => connection.runAndReadAll(tpchSql(q)),
    rows: (reader) => {
      const columns = reader.columnNames();
      const rows = reader.getRows().map((row) => row.map((v, i) => toCell(v, columns[i] ?? `#${i}`)));
      return { columns, rows } satisfies ResultSet;
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function toCell(value: DuckDBValue, column: string): Cell {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof DuckDBDecimalValue) return decimalCell(value.value, value.scale); // exact
  if (value instanceof DuckDBDateValue) return isoDateFromDays(value.days);
  throw new Error(
    `duckdb runner: column "${column}" has a value of unsupported type (${value.constructor.name}: ${String(value)})`,
  );
}

await serveRunner('duckdb', open);

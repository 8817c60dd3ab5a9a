/**
 * Polars runner process: one `scanParquet` lazy frame per TPC-H table and the queries of
 * polars-queries.ts, polars-q02-q11.ts and polars-q13-q22.ts, timed through `collect()`.
 * Threads come from POLARS_MAX_THREADS, which the harness sets on this process (Polars reads
 * it once, when its thread pool starts).
 */
import pl from 'nodejs-polars';
import * as path from 'node:path';
import type { Cell, ResultSet } from '../compare.js';
import { POLARS_CORE, type PolarsQuery, type PolarsTables } from './polars-queries.js';
import { POLARS_Q02_Q11 } from './polars-q02-q11.js';
import { POLARS_Q13_Q22 } from './polars-q13-q22.js';
import { serveRunner, type EngineAdapter, type RunnerArgs } from './protocol.js';

const POLARS_QUERIES: Readonly<Record<number, PolarsQuery>> = { ...POLARS_CORE, ...POLARS_Q02_Q11, ...POLARS_Q13_Q22 };

const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;

async function open(args: RunnerArgs): Promise<EngineAdapter<pl.DataFrame>> {
  const tables = Object.fromEntries(
    TABLES.map((n) => [n, pl.scanParquet(path.join(args.dataDir, n, '*.parquet'))]),
  ) as unknown as PolarsTables;
  const env = process.env.POLARS_MAX_THREADS;
  return {
    supports: (q) => POLARS_QUERIES[q] !== undefined,
    run: (q) => POLARS_QUERIES[q]!(tables).collect(),
    rows: toResultSet,
    notes: env === String(args.threads) ? [] : [`POLARS_MAX_THREADS is ${env ?? 'unset'}, not ${args.threads}`],
    close: async () => {},
  };
}

function toResultSet(df: pl.DataFrame): ResultSet {
  const columns = df.columns;
  // nodejs-polars cannot hand decimals to JavaScript: compared as doubles (within the tolerance).
  const data = df
    .getColumns()
    .map((s) => (s.dtype.variant === 'Decimal' ? s.cast(pl.Float64) : s).toArray() as unknown[]);
  const rows: Cell[][] = [];
  for (let r = 0; r < df.height; r++) rows.push(data.map((values, c) => toCell(values[r], columns[c] ?? `#${c}`)));
  return { columns, rows };
}

function toCell(value: unknown, column: string): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(
    `polars runner: column "${column}" has a value of unsupported type (${typeof value}: ${String(value)})`,
  );
}

await serveRunner('polars', open);

/**
 * Timestamp fixtures and the oracle for test/timestamps.test.ts and test/time-functions.test.ts:
 * a table DuckDB writes with every timestamp flavour it has (TIMESTAMP, TIMESTAMP_MS,
 * TIMESTAMP_NS, TIMESTAMP_S, TIMESTAMPTZ, TIME, plus DATE and text), values before 1970 and
 * after, fractions down to the nanosecond, NULLs and repeated values, in several files of
 * several row groups. Results compare exactly: timestamp and time cells as integer counts of
 * their unit on both sides (no value passes through a double), other cells as in int64.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { temporalEngineType, temporalFromArrow } from '../../operators/time/arrowTypes.js';
import type { Cell, ResultSet } from './compare.js';

/**
 * 240 rows: `ts` spreads ±7 years around 1969-07-20 20:17:40.123456 in steps of 5000 hours,
 * plus 0-2 µs (39 distinct values, so groups repeat); every 11th row is NULL.
 */
export const EVENTS_SQL = `
  WITH base AS (
    SELECT id::INTEGER AS id,
      CASE WHEN id % 11 = 0 THEN NULL ELSE
        TIMESTAMP '1969-07-20 20:17:40.123456' + ((id % 13) - 6) * INTERVAL 5000 HOUR + (id % 3) * INTERVAL 1 MICROSECOND
      END AS ts
    FROM range(0, 240) AS t(id))
  SELECT id, (id % 4)::INTEGER AS k, ts,
    ts::TIMESTAMP_MS AS tms,
    make_timestamp_ns(epoch_ns(ts) + (id % 7) * 111) AS tns,
    ts::TIMESTAMP_S AS tsec,
    timezone('America/New_York', ts) AS tz,
    ts::TIME AS t,
    ts::DATE AS d,
    strftime(ts, '%Y-%m-%d %H:%M:%S') AS s
  FROM base`;

/** A second table keyed by the same timestamps (every other distinct value), for joins. */
export const TAGS_SQL = `
  SELECT DISTINCT ts, ts::TIMESTAMP_MS AS tms, 'tag' || (epoch_us(ts) % 1000)::VARCHAR AS tag
  FROM (${EVENTS_SQL}) WHERE ts IS NOT NULL AND (id % 13) % 2 = 0`;

export interface Fixture {
  readonly conn: DuckDBConnection;
  readonly close: () => void;
}

export async function duckdb(timeZone = 'UTC'): Promise<Fixture> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`SET TimeZone = '${timeZone}'`);
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Write a query as `files` Parquet files (rows split by `key`) of `rowGroupSize`-row groups under dir/name; returns the directory. */
export async function writeParquet(
  conn: DuckDBConnection,
  sql: string,
  dir: string,
  name: string,
  files: number,
  key: string,
  rowGroupSize = 16,
): Promise<string> {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  for (let i = 0; i < files; i++)
    await conn.run(
      `COPY (SELECT * FROM (${sql}) WHERE hash(${key}) % ${files} = ${i}) TO '${d}/part-${i}.parquet' (FORMAT parquet, ROW_GROUP_SIZE ${rowGroupSize})`,
    );
  return d;
}

/** DuckDB rows: BIGINT/HUGEINT as decimal text, everything else as the driver gives it (or its text). */
export async function duckRows(conn: DuckDBConnection, sql: string): Promise<ResultSet> {
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows().map((row) =>
    row.map((v): Cell => {
      if (typeof v === 'bigint') return String(v);
      if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
      return String(v);
    }),
  );
  return { columns: reader.columnNames(), rows };
}

/** Stratus rows: timestamp and time cells as their raw counts (decimal text), int64 as text. */
export function exactRows(table: Table): ResultSet {
  const fields = table.schema.fields;
  const cols = fields.map((f) => {
    const c = table.getChild(f.name)!;
    const type = temporalEngineType(f.type);
    if (!type)
      return (i: number): Cell => {
        const v = c.get(i);
        if (v instanceof Date || (typeof v === 'number' && String(f.type).startsWith('Date')))
          return new Date(typeof v === 'number' ? v : v.getTime()).toISOString().slice(0, 10); // as DuckDB prints a DATE
        return typeof v === 'bigint' ? String(v) : (v ?? null);
      };
    const raw: Cell[] = [];
    for (const d of c.data) {
      const vec = temporalFromArrow(d, type, null);
      for (let i = 0; i < d.length; i++) raw.push(d.getValid(i) ? String(vec.values[i]) : null);
    }
    return (i: number) => raw[i]!;
  });
  const rows: Cell[][] = [];
  for (let i = 0; i < table.numRows; i++) rows.push(cols.map((c) => c(i)));
  return { columns: fields.map((f) => f.name), rows };
}

/**
 * DuckDB's counts for the fixture's temporal columns, by column name: the SQL expression giving
 * the count of the unit Stratus keeps.
 */
export const COUNTS: Readonly<Record<string, string>> = {
  ts: 'epoch_us(ts)',
  tms: 'epoch_ms(tms)',
  tns: 'epoch_ns(tns)',
  tsec: 'epoch_us(tsec)',
  tz: 'epoch_us(tz)',
  t: 'epoch_us(t)',
};

/** `epoch_us(ts) AS ts, …` for a list of fixture columns (others as they are). */
export const counted = (cols: readonly string[], from = ''): string =>
  cols
    .map((c) =>
      COUNTS[c] ? `${from ? COUNTS[c]!.replace(`(${c})`, `(${from}${c})`) : COUNTS[c]} AS ${c}` : `${from}${c}`,
    )
    .join(', ');

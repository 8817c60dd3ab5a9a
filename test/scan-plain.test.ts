/**
 * The plain scan (no filters: operators/scan.ts `decodeAll`), where our page decoder reads the
 * number, date and decimal columns (scanLate.ts `ownsPlain`) and parquet-wasm the rest: every
 * row of files DuckDB writes (snappy and uncompressed, v1 and v2 pages, dictionary and plain
 * chunks, a dictionary that overflows into plain pages, nulls, int64 values past 2^53, short
 * and long decimals, dates, doubles, strings), exactly as DuckDB reads them; and a scan of some
 * row groups only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFooter } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { batchRows } from '../operators/vector.js';
import { fileReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

const ROWS = 40_000;
const dir = tempDir('stratus-scanplain-');
let db: DuckDBConnection;

const LAYOUTS = {
  snappy: 'COMPRESSION snappy, ROW_GROUP_SIZE 15000',
  uncompressed: 'COMPRESSION uncompressed, ROW_GROUP_SIZE 25000',
  v2: 'COMPRESSION snappy, ROW_GROUP_SIZE 15000, PARQUET_VERSION V2',
} as const;

// Columns: plain and dictionary ints of both widths, int64 past 2^53 (both signs), nullable
// numbers, a double, dates, decimals stored as INT32, INT64 and FIXED_LEN_BYTE_ARRAY, a
// dictionary that overflows (distinct values after the first rows), dictionary strings of one
// byte (with nulls), of two, and of several lengths, and plain strings.
const SELECT = `SELECT i::INTEGER AS id,
    (i % 9)::BIGINT AS k,
    (CASE WHEN i % 2 = 0 THEN 9007199254740993 + i * 1000003 ELSE -9007199254740993 - i END)::BIGINT AS huge,
    CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 4)::INTEGER END AS n,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS x,
    DATE '1992-01-01' + (i % 2500)::INTEGER AS d,
    ((i % 50) + 1)::DECIMAL(15,2) AS qty,
    ((i * 7919 % 1000003) * 0.01)::DECIMAL(15,2) AS price,
    CASE WHEN i % 7 = 0 THEN NULL ELSE ((i % 11) * 0.01)::DECIMAL(9,2) END AS disc,
    ((i * 104729) * 0.0001)::DECIMAL(30,4) AS wide,
    (CASE WHEN i < 300 THEN i % 5 ELSE i * 31 END)::BIGINT AS overflow,
    CASE WHEN i % 5 = 0 THEN NULL ELSE chr((65 + i % 3)::INTEGER) END AS flag,
    'c' || (i % 4)::VARCHAR AS code,
    'mode' || (i % 7)::VARCHAR || repeat('x', i % 3) AS mode,
    md5(i::VARCHAR) AS h
  FROM range(${ROWS}) t(i)`;

/** A value as both sides are compared: dates as day numbers, decimals as their text. */
const cell = (v: unknown): unknown =>
  v instanceof DuckDBDateValue ? v.days : v instanceof DuckDBDecimalValue ? v.toString() : v;

async function scanRows(file: string, rowGroups?: number[]): Promise<unknown[][]> {
  const r = fileReader(file);
  const footer = await readFooter(r);
  const spec = { columns: footer.schema.map((f) => f.name), filters: [], schema: footer.schema };
  const rows: unknown[][] = [];
  for await (const b of scanRowGroups(r, rowGroups ?? footer.rowGroups.map((g) => g.index), spec, {}))
    for (const row of batchRows(b)) rows.push(Object.values(row));
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number));
}

async function duckRows(file: string, where = 'true'): Promise<unknown[][]> {
  const res = await db.runAndReadAll(`SELECT * FROM '${file}' WHERE ${where} ORDER BY id`);
  return res.getRows().map((row) => row.map(cell));
}

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  for (const [name, options] of Object.entries(LAYOUTS))
    await db.run(`COPY (${SELECT}) TO '${path.join(dir, `${name}.parquet`)}' (FORMAT parquet, ${options})`);
});
afterAll(() => {
  db?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('plain scan against DuckDB on the same file', () => {
  for (const layout of Object.keys(LAYOUTS))
    it(`${layout}: every row and column`, async () => {
      const file = path.join(dir, `${layout}.parquet`);
      const [got, want] = await Promise.all([scanRows(file), duckRows(file)]);
      expect(got.length).toBe(ROWS);
      // int64 values past 2^53 arrive exactly (as bigint on both sides).
      expect(got.some((row) => typeof row[2] === 'bigint' && (row[2] as bigint) > 2n ** 53n)).toBe(true);
      const bad = got.findIndex((row, i) => JSON.stringify(row, big) !== JSON.stringify(want[i], big));
      expect(bad === -1 ? null : { row: bad, got: got[bad], want: want[bad] }).toBeNull();
    });

  it('some row groups only', async () => {
    const file = path.join(dir, 'snappy.parquet');
    const got = await scanRows(file, [1]);
    // Rows are written in id order: row group 1 holds the ids after row group 0's.
    const [first, second] = (await readFooter(fileReader(file))).rowGroups.map((g) => g.numRows);
    const want = await duckRows(file, `id >= ${first} AND id < ${first! + second!}`);
    expect(got.length).toBe(second);
    expect(got).toEqual(want);
  });
});

/** JSON of bigints (exact). */
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

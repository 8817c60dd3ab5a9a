/**
 * The late-materializing scan (operators/scanLate.ts over our page decoder, parquetPages.ts):
 * on files DuckDB writes (snappy and uncompressed, v1 and v2 pages, dictionary and plain
 * chunks, nulls), every filter shape — one dictionary column, several, a column against
 * another, a plain string column, none, nothing surviving — gives exactly DuckDB's rows; the
 * `prefilter` mode keeps at least those rows. Then TPC-H on snappy files (the benchmark's
 * codec, where the path is taken): Q1–Q22 on generated SF 0.01 and the lineitem-heavy
 * queries on SF0.1 rewritten by DuckDB, each whole result against DuckDB on the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBDateValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateTpch } from '../benchmarks/datagen/index.js';
import { ORDERED, QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { readFooter } from '../operators/parquet.js';
import { RowGroupReader } from '../operators/parquetDecode.js';
import { scanRowGroups } from '../operators/scan.js';
import { batchRows } from '../operators/vector.js';
import { binary, col, type Expr, inList, isNull, lit } from '../planner/expr.js';
import { session, type Session } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { fileReader } from './support/rangeReaders.js';
import { SF01, tempDir } from './support/tpch.js';

const ROWS = 50_000;
const dir = tempDir('stratus-scanlate-');
let db: DuckDBConnection;

/** Files of the same rows in several layouts. */
const LAYOUTS = {
  snappy: 'COMPRESSION snappy, ROW_GROUP_SIZE 12000',
  uncompressed: 'COMPRESSION uncompressed, ROW_GROUP_SIZE 20000',
  v2: 'COMPRESSION snappy, ROW_GROUP_SIZE 12000, PARQUET_VERSION V2',
} as const;

const SELECT = `SELECT i::INTEGER AS id,
    CASE WHEN i % 7 = 0 THEN NULL ELSE 'mode' || (i % 5) END AS s,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS x,
    (i % 9)::BIGINT AS k,
    DATE '1995-01-01' + (i % 400)::INTEGER AS d,
    md5(i::VARCHAR) AS h,
    CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 4)::INTEGER END AS n,
    (i * 7919 % 100003)::BIGINT AS big
  FROM range(${ROWS}) t(i)`;

/** A DuckDB value as the scan gives it: dates as day numbers. */
const cell = (v: unknown): unknown => (v instanceof DuckDBDateValue ? v.days : v);

async function scanRows(file: string, filters: readonly Expr[], rowGroups?: number[], prefilter = false) {
  const r = fileReader(file);
  const footer = await readFooter(r);
  const spec = { columns: footer.schema.map((f) => f.name), filters, schema: footer.schema, prefilter };
  const rows: unknown[][] = [];
  for await (const b of scanRowGroups(r, rowGroups ?? footer.rowGroups.map((g) => g.index), spec, {}))
    for (const row of batchRows(b)) rows.push(Object.values(row));
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number));
}

async function duckRows(file: string, where: string): Promise<unknown[][]> {
  const res = await db.runAndReadAll(`SELECT * FROM '${file}' WHERE ${where} ORDER BY id`);
  return res.getRows().map((row) => row.map(cell));
}

const CASES: { name: string; filters: Expr[]; sql: string }[] = [
  {
    name: 'a dictionary string equal to a constant',
    filters: [binary('=', col('s'), lit('mode3'))],
    sql: "s = 'mode3'",
  },
  { name: 'IS NULL on a dictionary column', filters: [isNull(col('s'))], sql: 's IS NULL' },
  {
    name: 'IN on a string and a bound on an int64, two dictionary columns',
    filters: [inList(col('s'), [lit('mode1'), lit('mode2')]), binary('>=', col('k'), lit(4))],
    sql: "s IN ('mode1', 'mode2') AND k >= 4",
  },
  {
    name: 'a date range and a double bound (with nulls)',
    filters: [
      binary('>=', col('d'), lit('1995-06-01', 'date')),
      binary('<', col('d'), lit('1995-09-01', 'date')),
      binary('<', col('x'), lit(5000)),
    ],
    sql: "d >= DATE '1995-06-01' AND d < DATE '1995-09-01' AND x < 5000",
  },
  { name: '!= on a nullable int (nulls rejected)', filters: [binary('!=', col('n'), lit(2))], sql: 'n != 2' },
  {
    name: 'a column against another',
    filters: [binary('<', col('id'), binary('*', col('big'), lit(1)))],
    sql: 'id < big * 1',
  },
  {
    name: 'a plain string column (decoded by parquet-wasm) after a dictionary one',
    filters: [isNull(col('s'), true), binary('<', col('h'), lit('1'))],
    sql: "s IS NOT NULL AND h < '1'",
  },
  { name: 'nothing survives', filters: [binary('=', col('s'), lit('nope'))], sql: "s = 'nope'" },
  { name: 'no filter', filters: [], sql: 'true' },
];

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  for (const [name, options] of Object.entries(LAYOUTS))
    await db.run(`COPY (${SELECT}) TO '${path.join(dir, `${name}.parquet`)}' (FORMAT parquet, ${options})`);
});
afterAll(() => {
  db?.closeSync();
});

describe('scan with filters against DuckDB on the same file', () => {
  for (const layout of Object.keys(LAYOUTS))
    for (const c of CASES)
      it(`${layout}: ${c.name}`, async () => {
        const file = path.join(dir, `${layout}.parquet`);
        const [got, want] = await Promise.all([scanRows(file, c.filters), duckRows(file, c.sql)]);
        expect(got.length).toBe(want.length);
        expect(got).toEqual(want);
      });

  it('a dictionary string column no filter reads is decoded by our decoder too, at the surviving rows', async () => {
    // Not by parquet-wasm (its whole chunk decoded into wasm memory, then copied out): TPC-H Q12's
    // o_orderpriority beside a runtime-filtered o_orderkey.
    const wasm = vi.spyOn(RowGroupReader.prototype, 'read');
    try {
      // (v2 pages of strings are parquet-wasm's, as in every scan.)
      for (const layout of ['snappy', 'uncompressed']) {
        const file = path.join(dir, `${layout}.parquet`);
        const r = fileReader(file);
        const footer = await readFooter(r);
        const schema = footer.schema.filter((f) => ['id', 's', 'k'].includes(f.name));
        const filters = [binary('=', col('k'), lit(3)), binary('<', col('id'), lit(30_000))];
        const got: unknown[][] = [];
        const spec = { columns: schema.map((f) => f.name), filters, schema };
        const groups = footer.rowGroups.map((g) => g.index);
        for await (const b of scanRowGroups(r, groups, spec, {}))
          for (const row of batchRows(b)) got.push(Object.values(row));
        got.sort((a, b) => (a[0] as number) - (b[0] as number));
        const res = await db.runAndReadAll(`SELECT id, s, k FROM '${file}' WHERE k = 3 AND id < 30000 ORDER BY id`);
        const want = res.getRows().map((row) => row.map(cell));
        expect(want.length).toBeGreaterThan(1000);
        expect(got).toEqual(want);
      }
      expect(wasm).not.toHaveBeenCalled();
    } finally {
      wasm.mockRestore();
    }
  });

  it('some row groups only', async () => {
    const file = path.join(dir, 'snappy.parquet');
    const got = await scanRows(file, [binary('=', col('s'), lit('mode4'))], [1, 3]);
    // Rows are written in id order: row group g holds the ids from the rows before it.
    const sizes = (await readFooter(fileReader(file))).rowGroups.map((g) => g.numRows);
    expect(sizes.length).toBeGreaterThan(3);
    const from = (g: number) => sizes.slice(0, g).reduce((a, b) => a + b, 0);
    const range = (g: number) => `id >= ${from(g)} AND id < ${from(g + 1)}`;
    const want = await duckRows(file, `s = 'mode4' AND (${range(1)} OR ${range(3)})`);
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it('prefilter keeps every row the filters keep (and may keep more)', async () => {
    const file = path.join(dir, 'snappy.parquet');
    const filters = [binary('=', col('s'), lit('mode0')), binary('<', col('id'), binary('*', col('big'), lit(1)))];
    const got = await scanRows(file, filters, undefined, true);
    const want = await duckRows(file, "s = 'mode0' AND id < big");
    const ids = new Set(got.map((r) => r[0]));
    for (const row of want) expect(ids.has(row[0])).toBe(true);
    expect(got.length).toBeLessThan(ROWS); // the dictionary conjunct was applied
  });
});

describe('TPC-H on snappy files against DuckDB', () => {
  let s: Session;
  const generated = path.join(dir, 'sf0.01');
  const rewritten = path.join(dir, 'sf0.1-duckdb');
  beforeAll(async () => {
    s = session({ store: tempDir(), executors: 2, progress: false });
    await generateTpch({ sf: 0.01, dir: generated, compression: 'snappy', rowGroupSize: 20_000 });
    for (const table of ['lineitem', 'orders', 'part', 'partsupp', 'customer', 'supplier', 'nation', 'region']) {
      fs.mkdirSync(path.join(rewritten, table), { recursive: true });
      await db.run(
        `COPY (SELECT * FROM '${SF01}/${table}/*.parquet') TO '${path.join(rewritten, table, 'part-0.parquet')}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 50000)`,
      );
    }
  }, 600_000);
  afterAll(async () => {
    await s?.stop();
    await closeDuckdbOracles();
  });

  const check = (q: number, data: () => string) => async () => {
    const [table, expected] = await Promise.all([
      QUERIES[q]!(tpchTables(s, data())).collect(),
      duckdbQuery(tpchSql(q), data()),
    ]);
    expectSameResults(rowsFromArrow(table), expected, { ordered: ORDERED[q]!, relTol: 1e-9 });
  };
  for (let q = 1; q <= 22; q++)
    it(
      `Q${q} on generated SF 0.01 (snappy)`,
      check(q, () => generated),
      300_000,
    );
  for (const q of [1, 3, 6, 7, 12, 14, 18, 19])
    it(
      `Q${q} on SF0.1 rewritten by DuckDB (snappy)`,
      check(q, () => rewritten),
      300_000,
    );
});

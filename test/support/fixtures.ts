/**
 * Fixtures for expression and null-semantics tests: a 50-row Parquet table written by DuckDB
 * (ints, bigints, doubles, strings with multibyte and LIKE-special characters, dates, bools and
 * NULLs in every column), and a small DuckDB runner that answers SQL over that file with plain
 * values and the result's column types, for comparison with Stratus results.
 *
 * @example
 * const fx = useExpressionFixture('exprs'); // written in beforeAll, closed in afterAll
 * it('adds', () => fx.check([['x', col('i').plus(1), 'i + 1']]));
 */
import * as path from 'node:path';
import {
  DuckDBInstance,
  DuckDBDateValue,
  DuckDBDecimalValue,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { DataType as ArrowType } from 'apache-arrow';
import { afterAll, beforeAll } from 'vitest';
import { col, session, type Column, type DataFrame, type Session } from '../../src/index.js';
import { expectSameResults, isoDateFromDays, rowsFromArrow, type Cell, type ResultSet } from './compare.js';
import { tempDir } from './tpch.js';

/** A result with the engine type name of each column. */
export interface TypedResult extends ResultSet {
  types: string[];
}

export interface ExpressionFixture {
  /** The Parquet file. */
  readonly file: string;
  /** `read_parquet('<file>')`, for use in FROM clauses. */
  readonly table: string;
  /** Run SQL in DuckDB (with the Spark-emulating macros of `MACROS` defined). */
  query(sql: string): Promise<TypedResult>;
  close(): void;
}

/**
 * The rows. The first 24 are hand-picked edge cases; the rest are generated from the id.
 * `b`/`b2` cycle through all nine (true, false, null) pairs; `g` is a group key with a null
 * group and a group (`'allnull'`, ids 7 and 16) in which i, l, d, s and dt are all null; `f` is
 * a double with NaNs and NULLs. `t` holds '😀 smile' (outside the BMP) and 'ｆｕｌｌ' (U+FF46…),
 * which sort one way by code point (as Spark and DuckDB do) and the other by UTF-16 unit.
 */
const EDGE_ROWS = `
  (0,  0,           0,    0::BIGINT,                0.0,      0.0,    '',               '',     DATE '2020-01-31', DATE '2020-01-31'),
  (1,  1,           1,    1::BIGINT,                2.5,      2.0,    'ü',              'ü',    DATE '2020-02-29', DATE '2020-03-01'),
  (2,  -1,          -3,   -1::BIGINT,               -2.5,     0.5,    'a%b',            '%',    DATE '2019-01-31', DATE '2019-02-28'),
  (3,  7,           2,    9007199254740991::BIGINT, 2.675,    -1.0,   'x_y',            '_',    DATE '2020-03-31', DATE '2020-03-31'),
  (4,  -7,          2,    -9007199254740991::BIGINT,-2.675,   3.0,    'Hello',          'hello', DATE '1969-12-31', DATE '1970-01-01'),
  (5,  2147483647,  1,    5000000000000::BIGINT,    1e10,     0.0,    '  padded  ',     ' ',    DATE '1900-03-01', DATE '2100-02-28'),
  (6,  -2147483648, -1,   -5000000000000::BIGINT,   -1e10,    '-0.0'::DOUBLE,  'ÄÖÜ straße',     'Ä',    DATE '2000-02-29', DATE '2000-02-29'),
  (7,  NULL,        5,    NULL,                     NULL,     1.5,    NULL,             'x',    NULL,              DATE '2020-01-01'),
  (8,  10,          NULL, 10::BIGINT,               0.125,    NULL,   'abc',            NULL,   DATE '2020-12-31', NULL),
  (9,  1000000000,  3,    123456789012::BIGINT,     -0.5,     0.5,    '12',             '3',    DATE '2021-05-31', DATE '2021-06-01'),
  (10, -1000000000, 0,    -7::BIGINT,               0.5,      0.0,    '-3.7',           chr(9) || ' tab ' || chr(9),    DATE '1999-12-31', DATE '2000-01-01'),
  (11, 46341,       46341,2::BIGINT,                1.005,    0.01,   '2020-01-05',     '2020', DATE '2024-02-29', DATE '2023-02-28'),
  (12, 65536,       65536,3::BIGINT,                -1.005,   -0.01,  'true',           'True', DATE '2023-01-31', DATE '2023-01-30'),
  (13, 3,           -7,   -3::BIGINT,               123456.789, 1e-7, 'aaa',            'ｆｕｌｌ',   DATE '2022-08-31', DATE '2022-09-30'),
  (14, -3,          7,    4::BIGINT,                -123456.789, 7.25, 'a',             '😀 smile',    DATE '2022-10-31', DATE '2022-10-31'),
  (15, 100,         -100, 100::BIGINT,              99.995,   -99.995,'%',              '%%',   DATE '1970-01-01', DATE '1969-12-31'),
  (16, NULL,        NULL, NULL,                     NULL,     NULL,   NULL,             NULL,   NULL,              NULL),
  (17, 12,          5,    -12::BIGINT,              1e-3,     3.5,    ' 42 ',           '42',   DATE '2016-02-29', DATE '2016-03-01'),
  (18, -12,         -5,   12::BIGINT,               -1e-3,    -3.5,   'abc_def%ghi',    'def',  DATE '2015-11-30', DATE '2015-12-31'),
  (19, 8,           3,    8::BIGINT,                0.045,    2.5,    'naïve café',     'café', DATE '2018-07-31', DATE '2018-07-30'),
  (20, -8,          3,    -8::BIGINT,               -0.045,   -2.5,   '日本語',          '本',   DATE '2012-01-29', DATE '2012-01-30'),
  (21, 9,           -2,   9::BIGINT,                15.5,     -15.5,  'yes',            'no',   DATE '2011-08-31', DATE '2011-09-30'),
  (22, -9,          -2,   -9::BIGINT,               1.5,      -1.5,   'ab',             'abc',  DATE '1600-02-29', DATE '1600-03-01'),
  (23, 0,           0,    0::BIGINT,                '-0.0'::DOUBLE, 0.0,   '1e3',            '0x10', DATE '2099-12-31', DATE '2100-01-01')
`;

const WORDS = ['abc', 'ABC', 'a_c', 'a%c', 'xyz', 'über', '', 'zz top', 'mixed Case', '7'];

export const FIXTURE_SQL = `
  SELECT * FROM (VALUES ${EDGE_ROWS}) AS e(id, i, j, l, d, e, s, t, dt, dt2)
  UNION ALL
  SELECT
    r::INTEGER AS id,
    CASE WHEN r % 7 = 0 THEN NULL ELSE ((r * 37) % 41 - 20)::INTEGER END AS i,
    CASE WHEN r % 5 = 0 THEN NULL ELSE ((r * 13) % 11 - 5)::INTEGER END AS j,
    CASE WHEN r % 6 = 0 THEN NULL ELSE ((r * 7919) % 100003 - 50000)::BIGINT END AS l,
    CASE WHEN r % 8 = 0 THEN NULL ELSE ((r * 31) % 97 - 48) / 8.0 END::DOUBLE AS d,
    CASE WHEN r % 9 = 0 THEN NULL ELSE ((r * 17) % 23 - 11) / 4.0 END::DOUBLE AS e,
    CASE WHEN r % 10 = 3 THEN NULL ELSE list_extract(${sqlList(WORDS)}, (r % ${WORDS.length}) + 1) END AS s,
    CASE WHEN r % 11 = 4 THEN NULL ELSE list_extract(${sqlList(WORDS)}, ((r * 3) % ${WORDS.length}) + 1) END AS t,
    CASE WHEN r % 12 = 5 THEN NULL ELSE DATE '2019-01-01' + ((r * 97) % 900)::INTEGER END AS dt,
    CASE WHEN r % 13 = 6 THEN NULL ELSE DATE '2019-06-30' + ((r * 53) % 400)::INTEGER END AS dt2
  FROM range(24, 50) AS g(r)
`;

/** Bool and group columns derived from the id, added to every row. */
const DERIVED = `
  CASE id % 3 WHEN 0 THEN true WHEN 1 THEN false ELSE NULL END AS b,
  CASE (id // 3) % 3 WHEN 0 THEN true WHEN 1 THEN false ELSE NULL END AS b2,
  CASE WHEN id IN (7, 16) THEN 'allnull' WHEN id % 4 = 0 THEN NULL ELSE list_extract(['p', 'q', 'r'], (id % 3) + 1) END AS g,
  CASE WHEN id % 7 = 3 THEN NULL WHEN id % 5 = 1 THEN 'NaN'::DOUBLE ELSE (id % 9 - 4) * 0.5 END::DOUBLE AS f
`;

/** Emulate Spark where DuckDB differs (see comments at the call sites in the tests). */
export const MACROS = [
  // Spark int32 arithmetic wraps around (non-ANSI mode); DuckDB raises an overflow error.
  `CREATE MACRO wrap32(x) AS (((x::HUGEINT + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648)::INTEGER`,
  // Spark: x / 0 and x % 0 are NULL; DuckDB's / gives ±Infinity (and NaN for 0/0).
  `CREATE MACRO sdiv(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a::DOUBLE / b::DOUBLE END`,
  // Spark substring(str, pos, len): pos 0 is 1, negative pos counts from the end, and the end
  // position is computed before the start is clamped; negative length is empty.
  `CREATE MACRO ssubstr(s, pos, len) AS
     CASE WHEN s IS NULL THEN NULL ELSE (
       WITH p AS (SELECT CASE WHEN pos > 0 THEN pos - 1 WHEN pos < 0 THEN length(s) + pos ELSE 0 END AS st)
       SELECT CASE WHEN greatest(st, 0) >= st + len THEN '' ELSE substring(s, greatest(st, 0) + 1, st + len - greatest(st, 0)) END FROM p
     ) END`,
];

function sqlList(xs: readonly string[]): string {
  return `[${xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** Write the fixture table to `<dir>/exprs.parquet` and open a DuckDB to query it. */
export async function writeExpressionFixture(dir: string): Promise<ExpressionFixture> {
  const file = path.join(dir, 'exprs.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const quoted = file.replaceAll("'", "''");
  await connection.run(
    `COPY (SELECT *, ${DERIVED} FROM (${FIXTURE_SQL}) ORDER BY id) TO '${quoted}' (FORMAT parquet, ROW_GROUP_SIZE 16)`,
  );
  for (const m of MACROS) await connection.run(m);
  return {
    file,
    table: `read_parquet('${quoted}')`,
    query: (sql) => runQuery(connection, sql),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** One output column: the Stratus expression and the DuckDB SQL that must give the same. */
export type ExpressionCase = readonly [name: string, stratus: Column, sql: string];

/** The expression fixture of one test file, with its session and the checks against DuckDB. */
export interface ExpressionSuite extends Omit<ExpressionFixture, 'close'> {
  readonly session: Session;
  /** The fixture table as a DataFrame of the session. */
  frame(): DataFrame;
  /** Select all cases in one job and one query; compare values and types. */
  check(cases: readonly ExpressionCase[]): Promise<void>;
  /** Compare the rows a filter keeps with those WHERE keeps. */
  checkFilter(cond: Column, where: string): Promise<void>;
}

/**
 * Write the fixture and open a one-executor session in the test file's `beforeAll`, close both in
 * its `afterAll`. Every member but `check`/`checkFilter`/`frame` is read inside tests only.
 */
export function useExpressionFixture(name: string, options: { executors?: number } = {}): ExpressionSuite {
  let fx: ExpressionFixture | undefined;
  let s: Session | undefined;
  beforeAll(async () => {
    fx = await writeExpressionFixture(tempDir(`stratus-${name}-`));
    s = session({ store: tempDir(), executors: options.executors ?? 1, progress: false });
  });
  afterAll(async () => {
    await s?.stop();
    fx?.close();
  });
  const ready = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the expression fixture is set up in beforeAll: use it inside tests');
    return x;
  };
  const frame = () => ready(s).read.parquet(ready(fx).file);
  const checks = expressionChecks(() => ready(fx), frame);
  return {
    get file() {
      return ready(fx).file;
    },
    get table() {
      return ready(fx).table;
    },
    get session() {
      return ready(s);
    },
    query: (sql) => ready(fx).query(sql),
    frame,
    ...checks,
  };
}

function expressionChecks(fx: () => ExpressionFixture, df: () => DataFrame) {
  return {
    async check(cases: readonly ExpressionCase[]): Promise<void> {
      const actual = typedRowsFromArrow(
        await df()
          .select(col('id'), ...cases.map(([name, c]) => c.alias(name)))
          .collect(),
      );
      const expected = await fx().query(
        `SELECT id, ${cases.map(([name, , sql]) => `${sql} AS ${name}`).join(',\n ')} FROM ${fx().table}`,
      );
      if (expected.rows.length !== 50) throw new Error(`the fixture has ${expected.rows.length} rows, expected 50`);
      expectSameTyped(actual, expected);
    },
    async checkFilter(cond: Column, where: string): Promise<void> {
      const actual = typedRowsFromArrow(await df().filter(cond).select('id').collect());
      const expected = await fx().query(`SELECT id FROM ${fx().table} WHERE ${where}`);
      expectSameTyped(actual, expected);
    },
  };
}

/** Run SQL in DuckDB and return its rows as plain values with engine type names. */
export async function runQuery(connection: DuckDBConnection, sql: string): Promise<TypedResult> {
  const reader = await connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const types = reader.columnTypes().map((t) => duckTypeName(t.toString()));
  const rows = reader.getRows().map((row) => row.map((v, i) => toCell(v, columns[i] ?? `#${i}`)));
  return { columns, types, rows };
}

function duckTypeName(t: string): string {
  const names: Record<string, string> = {
    INTEGER: 'int32',
    BIGINT: 'int64',
    DOUBLE: 'float64',
    VARCHAR: 'string',
    DATE: 'date',
    BOOLEAN: 'bool',
    '"NULL"': 'null',
  };
  return names[t] ?? t;
}

function toCell(value: DuckDBValue, column: string): Cell {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBDateValue) return isoDateFromDays(value.days);
  throw new Error(
    `fixture: column "${column}" has a value of unsupported DuckDB type (${String(value)}); cast it in the SQL`,
  );
}

/** An Arrow result with engine type names (int32, int64, float64, string, date, bool). */
export function typedRowsFromArrow(table: Table): TypedResult {
  const types = table.schema.fields.map((f) => {
    const t = f.type;
    if (ArrowType.isBool(t)) return 'bool';
    if (ArrowType.isInt(t)) return t.bitWidth === 64 ? 'int64' : 'int32';
    if (ArrowType.isFloat(t)) return 'float64';
    if (ArrowType.isUtf8(t) || ArrowType.isLargeUtf8(t)) return 'string';
    if (ArrowType.isDate(t)) return 'date';
    return String(t);
  });
  return { ...rowsFromArrow(table), types };
}

/**
 * Throw unless Stratus and DuckDB agree on values (rows in canonical order, so put a unique id
 * first) and on the engine type of every column.
 */
export function expectSameTyped(actual: TypedResult, expected: TypedResult): void {
  expectSameResults(actual, expected, { ordered: false });
  const diffs = expected.types.flatMap((t, i) =>
    actual.types[i] === t ? [] : [`column "${expected.columns[i]}": actual type ${actual.types[i]}, expected ${t}`],
  );
  if (diffs.length) throw new Error(`column types differ:\n  ${diffs.join('\n  ')}`);
}

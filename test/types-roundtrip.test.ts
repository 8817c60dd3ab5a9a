/**
 * The type round-trip test of issue #10: a table holding every Parquet type DuckDB writes —
 * bool, int8…int64 (min, max, 2^53+1), uint8…uint64, float32/float64 (NaN, ±0, extremes),
 * decimals stored as INT32, INT64 and FIXED_LEN_BYTE_ARRAY (decimal(38,10) extremes), date,
 * time, timestamps of every unit, with and without a zone and before 1970, string, blob, uuid,
 * interval, a list and a struct, NULLs everywhere — goes through read → filter / group / join /
 * sort → collect, and → write → read back by DuckDB, and both equal what DuckDB computes:
 *  - collect: Stratus's rows equal the rows of DuckDB's own result of the same query (written by
 *    DuckDB, read by Stratus with no computation), as JSON rows with int64 as text;
 *  - write: DuckDB reads Stratus's file with the same column types as its own result and the same
 *    rows (EXCEPT ALL both ways, so every value is compared by DuckDB at its own type).
 * The other type tests check each family's collected values against DuckDB's directly
 * (int64, decimal, timestamps, small-numbers, schema-nested, schema-binary).
 */
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, count, type DataFrame, lit, max, min, type Session, session, sum } from '../src/index.js';
import { writeParquet } from './support/timestamps.js';
import { tempDir } from './support/tpch.js';

const P53 = 2n ** 53n;

/** 30 rows of every type; row 0 holds the minimums, row 1 the maximums, every column is NULL somewhere. */
const ALL_SQL = `
  SELECT id::INT AS id, (id % 3)::INT AS k,
    CASE WHEN id % 7 = 6 THEN NULL ELSE id % 2 = 0 END AS b,
    CASE WHEN id % 9 = 8 THEN NULL WHEN id = 0 THEN -128 WHEN id = 1 THEN 127 ELSE id * 5 - 70 END::TINYINT AS i8,
    CASE WHEN id % 8 = 7 THEN NULL WHEN id = 0 THEN -32768 WHEN id = 1 THEN 32767 ELSE id * 999 END::SMALLINT AS i16,
    CASE WHEN id % 6 = 5 THEN NULL WHEN id = 0 THEN -2147483648 WHEN id = 1 THEN 2147483647 ELSE id * 1000003 END::INT AS i32,
    CASE WHEN id % 5 = 4 THEN NULL WHEN id = 0 THEN -9223372036854775808 WHEN id = 1 THEN 9223372036854775807
      ELSE ${P53} + 1 - id % 4 END::BIGINT AS i64,
    CASE WHEN id % 7 = 5 THEN NULL WHEN id = 1 THEN 255 ELSE id * 3 END::UTINYINT AS u8,
    CASE WHEN id % 7 = 4 THEN NULL WHEN id = 1 THEN 65535 ELSE id * 301 END::USMALLINT AS u16,
    CASE WHEN id % 7 = 3 THEN NULL WHEN id = 1 THEN 4294967295 ELSE id * 70001 END::UINTEGER AS u32,
    CASE WHEN id % 7 = 2 THEN NULL WHEN id = 1 THEN 18446744073709551615 ELSE id END::UBIGINT AS u64,
    CASE WHEN id % 11 = 10 THEN NULL WHEN id = 0 THEN -3.4028235e38 WHEN id = 1 THEN 3.4028235e38 WHEN id = 2 THEN 'NaN'
      WHEN id = 3 THEN 1.4e-45 ELSE id / 7 END::FLOAT AS f32,
    CASE WHEN id % 10 = 9 THEN NULL WHEN id = 0 THEN -1.7976931348623157e308 WHEN id = 1 THEN 1.7976931348623157e308
      WHEN id = 2 THEN 'NaN' WHEN id = 3 THEN 5e-324 ELSE id / 3 END::DOUBLE AS f64,
    CASE WHEN id % 4 = 3 THEN NULL ELSE (id - 15) * 10.3 END::DECIMAL(5,1) AS dec5,
    CASE WHEN id % 4 = 2 THEN NULL WHEN id = 0 THEN -999999999999999.999 WHEN id = 1 THEN 999999999999999.999
      ELSE id * 1234567.891 END::DECIMAL(18,3) AS dec18,
    CASE WHEN id % 4 = 1 AND id > 1 THEN NULL WHEN id = 0 THEN -9999999999999999999999999999.9999999999
      WHEN id = 1 THEN 9999999999999999999999999999.9999999999 ELSE id * 1.0000000001 END::DECIMAL(38,10) AS dec38,
    CASE WHEN id % 6 = 4 THEN NULL ELSE DATE '1969-12-25' + (id * 40)::INT END AS d,
    CASE WHEN id % 6 = 3 THEN NULL ELSE TIME '00:00:00.000001' + id * INTERVAL 47 MINUTE END AS t,
    CASE WHEN id % 6 = 2 THEN NULL ELSE TIMESTAMP '1969-07-20 20:17:40.123456' + id * INTERVAL 1000 HOUR END AS ts,
    CASE WHEN id % 6 = 1 THEN NULL ELSE (TIMESTAMP '1960-01-01 00:00:00.123' + id * INTERVAL 3 DAY)::TIMESTAMP_MS END AS tms,
    CASE WHEN id % 6 = 0 THEN NULL ELSE make_timestamp_ns(-1000000000000000000 + id * 123456789123) END AS tns,
    CASE WHEN id % 5 = 1 THEN NULL ELSE (TIMESTAMP '2001-02-03 04:05:06' + id * INTERVAL 1 SECOND)::TIMESTAMP_S END AS tsec,
    CASE WHEN id % 5 = 2 THEN NULL ELSE TIMESTAMPTZ '1950-06-01 12:00:00+00' + id * INTERVAL 77 DAY END AS tz,
    CASE WHEN id % 5 = 3 THEN NULL WHEN id = 4 THEN '' ELSE 'ü' || repeat('x', id % 4) || id END AS s,
    CASE WHEN id % 5 = 0 THEN NULL ELSE from_hex(lpad(to_hex(id * 4099), 6, '0')) END AS bin,
    CASE WHEN id % 4 = 0 THEN NULL ELSE ('00000000-0000-4000-8000-' || lpad(id::VARCHAR, 12, '0'))::UUID END AS u,
    CASE WHEN id % 3 = 2 THEN NULL ELSE INTERVAL (id) MONTH + INTERVAL (id * 3) DAY + INTERVAL (id * 1001) MILLISECOND END AS iv,
    CASE WHEN id % 8 = 0 THEN NULL ELSE [id, NULL, id * 2]::INT[] END AS l,
    CASE WHEN id % 9 = 0 THEN NULL ELSE {'a': id::BIGINT, 'b': 'x' || id} END AS st,
    CASE WHEN id % 7 = 0 THEN NULL ELSE [('00000000-0000-4000-8000-' || lpad((id * 7)::VARCHAR, 12, '0'))::UUID, NULL] END AS lu
  FROM range(0, 30) AS t(id)`;

/** A dimension keyed by int16 values of the table (a join of int16 with int32). */
const DIM_SQL = `SELECT (id * 999)::INT AS key, 'tag' || id AS tag FROM range(2, 30, 3) AS t(id)`;

/** Columns with an order (the opaque ones — u64, uuid, interval, list, struct — and bool have none here). */
const ORDERED = [
  'i8',
  'i16',
  'i32',
  'i64',
  'u8',
  'u16',
  'u32',
  'f32',
  'f64',
  'dec5',
  'dec18',
  'dec38',
  'd',
  't',
  'ts',
  'tms',
  'tns',
  'tsec',
  'tz',
  's',
];

let s: Session;
let conn: DuckDBConnection;
let dir: string;
let allDir: string;
let dimDir: string;
let all: DataFrame;
let dim: DataFrame;
let n = 0;

const duck = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
const allSql = () => `read_parquet('${allDir}/*.parquet')`;
const dimSql = () => `read_parquet('${dimDir}/*.parquet')`;
/**
 * Rows as JSON text, fractions of seconds without trailing zeros: DuckDB reads a TIMESTAMP_MS
 * column as microseconds, so its own result file holds '…00.123000' where ours keeps '…00.123'.
 */
const json = (rows: readonly unknown[]) =>
  rows.map((r) =>
    JSON.stringify(r).replace(/(:\d{2})\.(\d*?)0+(?=[Z"])/g, (_, sec, frac) => (frac ? `${sec}.${frac}` : sec)),
  );

/**
 * `df` (Stratus) and `sql` (DuckDB, over the same files) agree: collected rows equal the rows of
 * DuckDB's result read back by Stratus; Stratus's write reads back in DuckDB with DuckDB's types and rows.
 */
async function expectRoundTrip(df: DataFrame, sql: string, ordered = false): Promise<void> {
  const at = path.join(dir, `q${n++}`);
  await conn.run(`COPY (${sql}) TO '${at}-duck.parquet' (FORMAT parquet)`);
  const expected = json(await s.read.parquet(`${at}-duck.parquet`).collectRows({ int64: 'string' }));
  const actual = json(await df.collectRows({ int64: 'string' }));
  expect(ordered ? actual : actual.sort()).toEqual(ordered ? expected : expected.sort());
  await df.write.mode('overwrite').parquet(`${at}-ours`);
  const ours = `read_parquet('${at}-ours/*.parquet')`;
  const theirs = `read_parquet('${at}-duck.parquet')`;
  const types = async (from: string) =>
    (await duck(`DESCRIBE SELECT * FROM ${from}`)).map((r) => `${r.column_name}: ${r.column_type}`);
  expect(await types(ours)).toEqual(await types(theirs));
  const missing = async (a: string, b: string) =>
    (await duck(`SELECT count(*)::INT AS n FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`))[0]!.n;
  expect(await missing(ours, theirs)).toBe(0);
  expect(await missing(theirs, ours)).toBe(0);
}

beforeAll(async () => {
  dir = tempDir('stratus-types-roundtrip-');
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  allDir = await writeParquet(conn, ALL_SQL, dir, 'all', 2, 'id', 8);
  dimDir = await writeParquet(conn, DIM_SQL, dir, 'dim', 1, 'key');
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  all = s.read.parquet(allDir);
  dim = s.read.parquet(dimDir);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  conn?.closeSync();
});

describe('every Parquet type DuckDB writes round-trips', () => {
  it('is known at analysis with its exact type', async () => {
    expect((await all.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual([
      'id: int32',
      'k: int32',
      'b: bool',
      'i8: int8',
      'i16: int16',
      'i32: int32',
      'i64: int64',
      'u8: uint8',
      'u16: uint16',
      'u32: uint32',
      'u64: uint64',
      'f32: float32',
      'f64: float64',
      'dec5: decimal(5,1)',
      'dec18: decimal(18,3)',
      'dec38: decimal(38,10)',
      'd: date',
      't: time[us]',
      'ts: timestamp[us]',
      'tms: timestamp[ms]',
      'tns: timestamp[ns]',
      'tsec: timestamp[us]', // DuckDB writes TIMESTAMP_S as microseconds
      'tz: timestamp[us, UTC]',
      's: string',
      'bin: binary',
      'u: uuid',
      'iv: interval',
      'l: list<int32>',
      'st: struct<a: int64, b: string>',
      'lu: list<uuid>',
    ]);
  });

  it('read → collect, and → write: every column as it is', async () => {
    await expectRoundTrip(all, `SELECT * FROM ${allSql()}`);
  });

  it('uuids collect as their text, nested ones too', async () => {
    const rows = await all
      .filter(col('id').eq(lit(3)))
      .select('u', 'lu')
      .collectRows();
    expect(rows).toEqual([
      { u: '00000000-0000-4000-8000-000000000003', lu: ['00000000-0000-4000-8000-000000000021', null] },
    ]);
  });

  it('read → filter → collect / write', async () => {
    await expectRoundTrip(
      all.filter(
        col('i32')
          .gt(lit(-5))
          .and(col('id').mod(lit(3)).ne(lit(0))),
      ),
      `SELECT * FROM ${allSql()} WHERE i32 > -5 AND id % 3 <> 0`,
    );
  });

  it('read → sort → collect / write (in order)', async () => {
    await expectRoundTrip(
      all.orderBy(col('i64').desc(), 'id'),
      `SELECT * FROM ${allSql()} ORDER BY i64 DESC NULLS LAST, id`,
      true,
    );
  });

  it('read → join → collect / write', async () => {
    await expectRoundTrip(
      all.join(dim, col('i16').eq(col('key'))).drop('key'),
      `SELECT * EXCLUDE (key) FROM ${allSql()} JOIN ${dimSql()} ON i16 = key`,
    );
    await expectRoundTrip(
      all.join(dim, col('i16').eq(col('key')), 'left').drop('key'),
      `SELECT * EXCLUDE (key) FROM ${allSql()} LEFT JOIN ${dimSql()} ON i16 = key`,
    );
  });

  it('read → group (min, max, count of every type; sums) → collect / write', async () => {
    await expectRoundTrip(
      all
        .groupBy('k')
        .agg(
          ...ORDERED.flatMap((c) => [min(c).alias(`min_${c}`), max(c).alias(`max_${c}`)]),
          ...['b', 'u64', 'bin', 'u', 'iv', 'l', 'st', 'lu'].map((c) => count(c).alias(`n_${c}`)),
          sum('i8').alias('sum_i8'),
          sum('u32').alias('sum_u32'),
          sum('dec18').alias('sum_dec18'),
        ),
      // Spark's types: count is a long, sum of integers a long, sum of decimal(18,3) a decimal(28,3).
      `SELECT k, ${ORDERED.map((c) => `min(${c}) AS min_${c}, max(${c}) AS max_${c}`).join(', ')},
         ${['b', 'u64', 'bin', 'u', 'iv', 'l', 'st', 'lu'].map((c) => `count(${c}) AS n_${c}`).join(', ')},
         sum(i8)::BIGINT AS sum_i8, sum(u32)::BIGINT AS sum_u32, sum(dec18)::DECIMAL(28,3) AS sum_dec18
       FROM ${allSql()} GROUP BY k`,
    );
  });

  it('read → group by a key of each type → collect / write', async () => {
    for (const key of [...ORDERED, 'b', 'bin'])
      await expectRoundTrip(
        all.groupBy(key).agg(count('*').alias('n'), min('id').alias('first_id')),
        `SELECT ${key}, count(*) AS n, min(id) AS first_id FROM ${allSql()} GROUP BY ${key}`,
      );
  });
});

/**
 * Results a script can use: `collectRows()` / `toJSONRows()` give rows that `JSON.stringify`
 * accepts with no value rounded. Extreme values come from files DuckDB wrote; expected values
 * are DuckDB's own renderings (BIGINT and DECIMAL as exact text, timestamps formatted by
 * strftime, blobs by to_base64). Raw Arrow data carries no uuid mark, so a uuid is base64 there;
 * collectRows names it (test/schema-nested.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowGroupReader } from '../operators/parquetDecode.js';
import { col, count, lit, type Session, session, sum, toJSONRows } from '../src/index.js';
import { formatDecimal } from '../operators/decimal.js';
import { dayString } from '../src/api/jsonRows.js';

let s: Session;
let duck: DuckDBConnection;
let dir: string;

async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** A Parquet file decoded as Stratus decodes it (parquet-wasm → Arrow), every column. */
async function arrowOf(file: string): Promise<arrow.Table> {
  const bytes = fs.readFileSync(file);
  const local = { name: file, size: bytes.length, read: async (a: number, b: number) => bytes.subarray(a, b) };
  const reader = new RowGroupReader(local, undefined);
  try {
    return await reader.read(0);
  } finally {
    reader.close();
  }
}

const INT64_SQL = `
  SELECT * FROM (VALUES
    (0, (-9223372036854775808)::BIGINT, 1::INT, 0.0::DOUBLE),
    (1, 9223372036854775807::BIGINT, 2::INT, 'NaN'::DOUBLE),
    (2, 9007199254740993::BIGINT, 3::INT, 'Infinity'::DOUBLE),
    (3, (-9007199254740993)::BIGINT, 4::INT, '-Infinity'::DOUBLE),
    (4, 9007199254740991::BIGINT, 5::INT, '-0.0'::DOUBLE),
    (5, (-9007199254740991)::BIGINT, 2147483647::INT, 1e308::DOUBLE),
    (6, NULL, NULL, NULL)
  ) v(id, big, i, f)`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-rows-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`COPY (${INT64_SQL}) TO '${path.join(dir, 'ints.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 3)`);
  await duck.run(`CREATE TABLE ints AS SELECT * FROM read_parquet('${path.join(dir, 'ints.parquet')}')`);
  s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
}, 60_000);

afterAll(async () => {
  await s?.stop();
  duck?.closeSync();
});

describe('collectRows', () => {
  it('int64: a number when exact, else a string; every digit kept; JSON.stringify works', async () => {
    const rows = await s.read.parquet(path.join(dir, 'ints.parquet')).orderBy('id').select('id', 'big').collectRows();
    expect(rows.map((r) => r.big)).toEqual([
      '-9223372036854775808',
      '9223372036854775807',
      '9007199254740993',
      '-9007199254740993',
      9007199254740991,
      -9007199254740991,
      null,
    ]);
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
    // { int64: 'string' }: always text, as DuckDB's own JSON rows give BIGINT.
    const text = await s.read
      .parquet(path.join(dir, 'ints.parquet'))
      .select('id', 'big')
      .collectRows({ int64: 'string' });
    const expected = await duckRows('SELECT id, big FROM ints');
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(text.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('counts and integer sums (int64 results) are plain numbers; a sum beyond 2^53 stays exact', async () => {
    const df = s.read.parquet(path.join(dir, 'ints.parquet'));
    const [row] = await df.agg(count('*').alias('n'), sum('i').alias('si')).collectRows();
    expect(row).toEqual({ n: 7, si: 2147483662 });
    expect(JSON.stringify(row)).toBe('{"n":7,"si":2147483662}');
    const [big] = await df
      .filter(col('big').gt(lit(0)))
      .agg(sum('big').alias('s'))
      .collectRows();
    // 9223372036854775807 + 9007199254740993 + 9007199254740991 wraps as a long in Spark.
    const wrapped = BigInt.asIntN(64, 9223372036854775807n + 9007199254740993n + 9007199254740991n);
    expect(big).toEqual({ s: wrapped.toString() });
  });

  it('decimals are exact strings, as DuckDB renders them, sums included', async () => {
    const file = path.join(dir, 'money.parquet');
    await duck.run(
      `COPY (SELECT (i % 4)::INT AS k, (((i * 7919) % 100000 - 50000) / 100)::DECIMAL(10,2) AS amount, (i * 1.0000000001)::DECIMAL(38,10) AS big FROM range(1000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 300)`,
    );
    const df = s.read.parquet(file);
    const ours = await df.groupBy('k').agg(sum('amount').alias('s'), sum('big').alias('b')).collectRows();
    const theirs = await duckRows(
      `SELECT k, sum(amount)::VARCHAR AS s, sum(big)::VARCHAR AS b FROM read_parquet('${file}') GROUP BY k`,
    );
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(ours.map(key).sort()).toEqual(theirs.map(key).sort());
    expect(typeof ours[0]!.s).toBe('string');
  });

  it('doubles: NaN and ±Infinity as strings, the rest as numbers', async () => {
    const rows = await s.read.parquet(path.join(dir, 'ints.parquet')).orderBy('id').select('f').collectRows();
    expect(rows.map((r) => r.f)).toEqual([0, 'NaN', 'Infinity', '-Infinity', -0, 1e308, null]);
    expect(JSON.stringify(rows.map((r) => r.f))).toBe('[0,"NaN","Infinity","-Infinity",0,1e+308,null]');
  });
});

describe('toJSONRows on Arrow data of every type DuckDB writes', () => {
  it('decimals exact, dates, timestamps (every unit, with and without zone, before 1970), times, blobs, uuids, nested', async () => {
    const file = path.join(dir, 'types.parquet');
    const src = `
      SELECT * FROM (VALUES
        (0, 9999999999999999999999999999.9999999999::DECIMAL(38,10), (-12.5)::DECIMAL(10,2), 0.01::DECIMAL(4,2),
         DATE '0001-01-01', TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '1900-01-01 00:00:00.5+00',
         TIMESTAMP_MS '1950-06-15 12:30:45.123', TIMESTAMP_NS '1969-12-31 23:59:59.999999999', TIME '23:59:59.999999',
         '\\x00\\xFF\\x10'::BLOB, '123e4567-e89b-12d3-a456-426614174000'::UUID, [1.5::DECIMAL(5,1), NULL], {'t': DATE '2024-02-29'}),
        (1, (-9999999999999999999999999999.9999999999)::DECIMAL(38,10), 0::DECIMAL(10,2), (-0.99)::DECIMAL(4,2),
         DATE '9999-12-31', TIMESTAMP '2262-04-11 23:47:16.854775', TIMESTAMPTZ '2024-02-29 12:00:00+00',
         TIMESTAMP_MS '1970-01-01 00:00:00', TIMESTAMP_NS '2262-04-11 23:47:16.854775806', TIME '00:00:00',
         ''::BLOB, NULL, [], NULL),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
      ) v(id, d38, d10, d4, dt, ts, tstz, tsms, tsns, tm, b, u, ld, sd)`;
    await duck.run(`COPY (${src}) TO '${file}' (FORMAT parquet)`);
    const ours = toJSONRows(await arrowOf(file), { int64: 'string' });
    const expected = await duckRows(`
      SELECT id, d38::VARCHAR AS d38, d10::VARCHAR AS d10, d4::VARCHAR AS d4, strftime(dt, '%Y-%m-%d') AS dt,
        strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') AS ts, strftime(tstz AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS tstz,
        strftime(tsms, '%Y-%m-%dT%H:%M:%S.%g') AS tsms, strftime(tsns, '%Y-%m-%dT%H:%M:%S.%n') AS tsns,
        strftime(DATE '2000-01-01' + tm, '%H:%M:%S.%f') AS tm, to_base64(b) AS b, to_base64(u::BLOB) AS u,
        list_transform(ld, x -> x::VARCHAR) AS ld, CASE WHEN sd IS NULL THEN NULL ELSE {'t': strftime(sd.t, '%Y-%m-%d')} END AS sd
      FROM read_parquet('${file}') ORDER BY id`);
    expect(ours).toEqual(expected);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(ours);
  });

  it('decimal and day rendering at the edges', () => {
    expect(formatDecimal(-5n, 2)).toBe('-0.05');
    expect(formatDecimal(12345n, 0)).toBe('12345');
    expect(formatDecimal(-(10n ** 38n - 1n), 10)).toBe('-9999999999999999999999999999.9999999999');
    expect(dayString(0)).toBe('1970-01-01');
    expect(dayString(-1)).toBe('1969-12-31');
    expect(dayString(2 ** 31 - 1)).toBe('5881580-07-11');
    expect(dayString(-719_528)).toBe('0000-01-01');
    expect(dayString(-719_529)).toBe('-0001-12-31');
  });
});

/**
 * Narrow numbers as DuckDB writes them (TINYINT, SMALLINT, UTINYINT, USMALLINT, UINTEGER, FLOAT)
 * keep their types: printSchema shows int8/int16/uint8/uint16/uint32/float32, values collect
 * exactly (float32 bit for bit), filters, groups, joins and sorts match DuckDB, and a write gives
 * DuckDB back the same column types and values. Arithmetic follows Spark's rules (byte + byte is
 * a byte that wraps, float + int is a float, unsigned types compute as the signed type Spark
 * reads them as); where DuckDB differs (it raises on overflow) the oracle wraps explicitly.
 */
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abs as absOf,
  avg,
  col,
  count,
  type DataFrame,
  lit,
  max,
  min,
  type Session,
  session,
  sum,
} from '../src/index.js';
import { writeParquet } from './support/timestamps.js';
import { tempDir } from './support/tpch.js';

/** 40 rows: the ends of every range, NULLs, NaN, ±0.0, the smallest and largest floats. */
const T_SQL = `
  SELECT id::INT AS id, (id % 4)::INT AS k,
    CASE WHEN id % 9 = 0 THEN NULL WHEN id = 1 THEN -128 WHEN id = 2 THEN 127 ELSE (id * 37) % 256 - 128 END::TINYINT AS b,
    CASE WHEN id % 10 = 0 THEN NULL WHEN id = 3 THEN -32768 WHEN id = 4 THEN 32767 ELSE (id * 1999) % 65536 - 32768 END::SMALLINT AS sh,
    CASE WHEN id % 11 = 0 THEN NULL WHEN id = 5 THEN 'NaN'::FLOAT WHEN id = 6 THEN -0.0::FLOAT WHEN id = 7 THEN 3.4028235e38::FLOAT
      WHEN id = 8 THEN 1.4e-45::FLOAT ELSE (id * 0.1 - 1.5)::FLOAT END AS f,
    CASE WHEN id % 7 = 0 THEN NULL ELSE (id * 13) % 256 END::UTINYINT AS ub,
    CASE WHEN id % 8 = 0 THEN NULL ELSE 65535 - id * 7 END::USMALLINT AS us,
    CASE WHEN id % 6 = 0 THEN NULL ELSE 4294967295 - id * 1000 END::UINTEGER AS ui
  FROM range(0, 40) AS t(id)`;

/** A dimension keyed by smallints (for a join of int16 with int32). */
const D_SQL = `SELECT (id * 1999) % 65536 - 32768 AS key, 'd' || id AS tag FROM range(0, 40, 3) AS t(id)`;

let s: Session;
let conn: DuckDBConnection;
let tDir: string;
let dDir: string;
let t: DataFrame;

const duck = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
/** DuckDB's JSON rows render NaN and infinities as text; ours keep them as JSON-safe strings too. */
const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
async function expectSame(df: DataFrame, sql: string): Promise<void> {
  expect(sorted(await df.collectRows())).toEqual(sorted(await duck(sql)));
}
const tSql = () => `read_parquet('${tDir}/*.parquet')`;

beforeAll(async () => {
  const dir = tempDir('stratus-small-');
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  tDir = await writeParquet(conn, T_SQL, dir, 't', 2, 'id', 8);
  dDir = await writeParquet(conn, `SELECT key::INT AS key, tag FROM (${D_SQL})`, dir, 'd', 1, 'key');
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  t = s.read.parquet(tDir);
}, 60_000);
afterAll(async () => {
  await s?.stop();
  conn?.closeSync();
});

describe('narrow numbers keep their types', () => {
  it('printSchema shows them; collect gives DuckDB values exactly (float32 bit for bit)', async () => {
    expect((await t.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual([
      'id: int32',
      'k: int32',
      'b: int8',
      'sh: int16',
      'f: float32',
      'ub: uint8',
      'us: uint16',
      'ui: uint32',
    ]);
    await expectSame(t, `SELECT * FROM ${tSql()}`);
    const floats = (await t.select('id', 'f').collect()).getChild('f')!.toArray();
    for (const x of floats) expect(Math.fround(x)).toBe(x);
  });

  it('filters, group-bys with aggregates, joins and sorts as DuckDB', async () => {
    await expectSame(
      t
        .filter(
          col('b')
            .lt(lit(0))
            .and(col('f').gt(lit(-1))),
        )
        .select('id', 'b', 'f'),
      `SELECT id, b, f FROM ${tSql()} WHERE b < 0 AND f > -1`,
    );
    await expectSame(
      t
        .filter(
          col('ub')
            .geq(lit(200))
            .or(col('us').eq(lit(65535 - 7))),
        )
        .select('id', 'ub', 'us', 'ui'),
      `SELECT id, ub, us, ui FROM ${tSql()} WHERE ub >= 200 OR us = ${65535 - 7}`,
    );
    // Sums of narrow integers are int64 (DuckDB: HUGEINT), min/max keep the type; sums of floats are doubles.
    await expectSame(
      t
        .groupBy('k')
        .agg(
          sum('b').alias('sb'),
          min('b').alias('mb'),
          max('sh').alias('msh'),
          min('f').alias('mf'),
          max('ui').alias('mui'),
          sum('ub').alias('sub'),
          count('f').alias('nf'),
        ),
      `SELECT k, sum(b)::INT AS sb, min(b) AS mb, max(sh) AS msh, min(f) AS mf, max(ui) AS mui, sum(ub)::INT AS sub, count(f)::INT AS nf FROM ${tSql()} GROUP BY k`,
    );
    await expectSame(
      t.groupBy('b').agg(count('*').alias('n')),
      `SELECT b, count(*)::INT AS n FROM ${tSql()} GROUP BY b`,
    );
    await expectSame(
      t.groupBy('f').agg(count('*').alias('n')),
      `SELECT f, count(*)::INT AS n FROM ${tSql()} GROUP BY f`,
    );
    const d = s.read.parquet(dDir);
    await expectSame(
      t.join(d, col('sh').eq(col('key'))).select('id', 'sh', 'tag'),
      `SELECT id, sh, tag FROM ${tSql()} JOIN read_parquet('${dDir}/*.parquet') ON sh = key`,
    );
    const ordered = await t.orderBy(col('f').desc(), 'id').select('id', 'f').collectRows();
    // As JSON text: DuckDB's JSON rows give -0.0 as 0 (ours keeps the sign; JSON.stringify drops it).
    expect(JSON.stringify(ordered)).toBe(
      JSON.stringify(await duck(`SELECT id, f FROM ${tSql()} ORDER BY f DESC NULLS LAST, id`)),
    );
    const bySmall = await t.orderBy('sh', 'id').select('id', 'sh').collectRows();
    expect(bySmall).toEqual(await duck(`SELECT id, sh FROM ${tSql()} ORDER BY sh NULLS FIRST, id`));
  });

  it('written back, DuckDB reads the same types and values', async () => {
    const out = path.join(tempDir('stratus-small-out-'), 'copy');
    await t
      .filter(col('id').ne(lit(13)))
      .write.mode('overwrite')
      .parquet(out);
    const back = `read_parquet('${out}/*.parquet')`;
    const types = (await duck(`DESCRIBE SELECT * FROM ${back}`)).map((r) => `${r.column_name}: ${r.column_type}`);
    expect(types).toEqual([
      'id: INTEGER',
      'k: INTEGER',
      'b: TINYINT',
      'sh: SMALLINT',
      'f: FLOAT',
      'ub: UTINYINT',
      'us: USMALLINT',
      'ui: UINTEGER',
    ]);
    const diff = async (a: string, b: string) =>
      (await duck(`SELECT count(*)::INT AS n FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`))[0]!.n;
    const src = `(SELECT * FROM ${tSql()} WHERE id <> 13)`;
    expect(await diff(back, src)).toBe(0);
    expect(await diff(src, back)).toBe(0);
  });
});

describe("arithmetic follows Spark's types and overflow", () => {
  it('result types: byte + byte is a byte, short + byte a short, float + int a float, / a double', async () => {
    const df = t.select(
      col('b').plus(col('b')).alias('bb'),
      col('b').plus(col('sh')).alias('bs'),
      col('b').plus(lit(1)).alias('b1'),
      col('f').plus(col('f')).alias('ff'),
      col('f').plus(col('sh')).alias('fs'),
      col('f').plus(col('id').cast('int64')).alias('fl'),
      col('f').divide(col('f')).alias('fd'),
      col('ub').plus(col('ub')).alias('uu'),
      col('us').multiply(col('us')).alias('uus'),
      col('ui').plus(col('ui')).alias('uui'),
      col('b').cast('decimal(10,2)').plus(col('sh')).alias('dec'),
      col('f').plus(col('b').cast('decimal(10,2)')).alias('fdec'),
      col('b').multiply(lit(-1)).alias('neg'),
      col('sh').minus(col('sh')).alias('ss'),
    );
    expect((await df.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual([
      'bb: int8',
      'bs: int16',
      'b1: int32',
      'ff: float32',
      'fs: float32',
      'fl: float32',
      'fd: float64',
      'uu: int16',
      'uus: int32',
      'uui: int64',
      'dec: decimal(11,2)', // decimal(10,2) + short (decimal(5,0)): max(8, 5) + 2 + 1 digits
      'fdec: float64',
      'neg: int32',
      'ss: int16',
    ]);
  });

  it('byte and short results wrap (Spark non-ANSI; DuckDB raises, so the oracle wraps), floats round to single', async () => {
    const wrap = (x: string, bits: number) =>
      `((((${x}) + ${2 ** (bits - 1)}) % ${2 ** bits} + ${2 ** bits}) % ${2 ** bits} - ${2 ** (bits - 1)})`;
    await expectSame(
      t.select(
        'id',
        col('b').plus(col('b')).alias('bb'),
        col('b').multiply(col('b')).alias('b2'),
        col('b').minus(lit(1).cast('int8')).alias('bm'),
        col('sh').multiply(col('sh')).alias('s2'),
        col('sh').plus(col('b')).alias('sb'),
        col('ub').plus(col('ub')).alias('uu'),
        col('b').mod(lit(7).cast('int8')).alias('bmod'),
      ),
      `SELECT id, ${wrap('b::INT + b', 8)}::TINYINT AS bb, ${wrap('b::INT * b', 8)}::TINYINT AS b2,
         ${wrap('b::INT - 1', 8)}::TINYINT AS bm, ${wrap('sh::INT * sh', 16)}::SMALLINT AS s2,
         ${wrap('sh::INT + b', 16)}::SMALLINT AS sb, ${wrap('ub::INT + ub', 16)}::SMALLINT AS uu,
         (b % 7)::TINYINT AS bmod
       FROM ${tSql()}`,
    );
    // DuckDB computes FLOAT arithmetic in single precision, as Spark does.
    await expectSame(
      t.select(
        'id',
        col('f').plus(col('f')).alias('ff'),
        col('f').multiply(lit(3).cast('float32')).alias('f3'),
        col('f').minus(col('sh')).alias('fs'),
        col('f').plus(col('id')).alias('fi'),
      ),
      `SELECT id, f + f AS ff, f * 3::FLOAT AS f3, f - sh::FLOAT AS fs, f + id::FLOAT AS fi FROM ${tSql()}`,
    );
  });

  it('casts: to int8/int16 keep the low bits (Spark), from text out of range is NULL, float32 prints shortest', async () => {
    const rows = await t
      .filter(col('id').isin(1, 2, 3, 12))
      .orderBy('id')
      .select(
        col('sh').cast('int8').alias('s8'),
        col('id').multiply(lit(1000)).cast('int16').alias('i16'),
        lit('300').cast('int8').alias('t8'),
        lit('-128').cast('int8').alias('m8'),
        col('f').cast('string').alias('fs'),
        lit(1e40).cast('float32').alias('inf'),
        col('ui').cast('int32').alias('ui32'),
        lit(-1).cast('uint8').alias('u8'),
      )
      .collectRows();
    const sh = (await duck(`SELECT sh, f FROM ${tSql()} WHERE id IN (1, 2, 3, 12) ORDER BY id`)).map(
      (r) => r as { sh: number | null; f: number | string | null },
    );
    const low8 = (x: number) => (x << 24) >> 24;
    expect(rows.map((r) => r.s8)).toEqual(sh.map((r) => (r.sh === null ? null : low8(r.sh))));
    expect(rows.map((r) => r.i16)).toEqual([1000, 2000, 3000, 12000]);
    expect(rows.map((r) => [r.t8, r.m8, r.inf, r.u8])).toEqual(Array(4).fill([null, -128, 'Infinity', 255]));
    const text = await duck(`SELECT f::VARCHAR AS fs FROM ${tSql()} WHERE id IN (1, 2, 3, 12) ORDER BY id`);
    expect(rows.map((r) => r.fs)).toEqual(text.map((r) => r.fs));
    expect(rows[0]!.ui32).toBe(4294967295 - 1000 - 2 ** 32);
    // A long rounds to a float once (through the nearest double it would round twice, to 2^60).
    const big = 2n ** 60n + 2n ** 36n + 1n;
    const [f] = await t
      .limit(1)
      .select(lit(big).cast('float32').alias('f'), lit(-big).cast('float32').alias('g'))
      .collectRows();
    const [d] = await duck(`SELECT ${big}::BIGINT::FLOAT AS f, (-${big})::BIGINT::FLOAT AS g`);
    expect(f).toEqual(d);
    expect(f!.f).toBe(2 ** 60 + 2 ** 37);
  });

  it('functions keep the narrow type: abs(-128) is -128 as a byte (Spark; DuckDB raises), fillna casts its value', async () => {
    const ids = [0, 1, 2, 3, 4, 5, 9, 11];
    const edge = t.filter(col('id').isin(...ids)).orderBy('id');
    expect((await edge.select(absOf(col('b')).alias('a')).schema())[0]!.type).toBe('int8');
    const src = (await duck(`SELECT b, sh, f FROM ${tSql()} WHERE id IN (${ids}) ORDER BY id`)) as {
      b: number | null;
      sh: number | null;
      f: number | string | null;
    }[];
    const wrap = (x: number | null, bits: number) => (x === null ? null : (Math.abs(x) << (32 - bits)) >> (32 - bits));
    expect(await edge.select(absOf(col('b')).alias('a'), absOf(col('sh')).alias('as')).collectRows()).toEqual(
      src.map((r) => ({ a: wrap(r.b, 8), as: wrap(r.sh, 16) })),
    );
    expect(src.some((r) => r.b === -128) && src.some((r) => r.sh === -32768)).toBe(true);
    const filled = t.fillna(300.7, ['b', 'f']);
    expect((await filled.schema()).filter((f) => f.name === 'b' || f.name === 'f').map((f) => f.type)).toEqual([
      'int8',
      'float32',
    ]);
    // 300 as a byte keeps its low bits (44); NaN is filled too, as Spark's fillna does.
    expect(
      await filled
        .filter(col('id').isin(...ids))
        .orderBy('id')
        .select('b', 'f')
        .collectRows(),
    ).toEqual(
      src.map((r) => ({
        b: r.b ?? 44,
        f: r.f === null || r.f === 'NaN' ? Math.fround(300.7) : r.f,
      })),
    );
    expect(src.some((r) => r.b === null) && src.some((r) => r.f === 'NaN') && src.some((r) => r.f === null)).toBe(true);
  });

  it('SQL casts: TINYINT, SMALLINT and FLOAT (REAL) are int8, int16 and float32, as in Spark SQL', async () => {
    t.createOrReplaceTempView('small');
    const q = `SELECT id, CAST(sh AS TINYINT) AS s8, CAST(id * 1000 AS SMALLINT) AS i16, CAST(f AS FLOAT) AS f, CAST(id AS REAL) / 3 AS r FROM small`;
    const df = await s.sql(q);
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'int8', 'int16', 'float32', 'float64']);
    const wrap = (x: string, bits: number) =>
      `((((${x}) + ${2 ** (bits - 1)}) % ${2 ** bits} + ${2 ** bits}) % ${2 ** bits} - ${2 ** (bits - 1)})`;
    await expectSame(
      df,
      // Spark's '/' is a double (DuckDB's FLOAT / INT a FLOAT): the oracle divides the float as a double.
      `SELECT id, ${wrap('sh::INT', 8)}::TINYINT AS s8, ${wrap('id * 1000', 16)}::SMALLINT AS i16, f, id::FLOAT::DOUBLE / 3 AS r FROM ${tSql()}`,
    );
  });

  it('avg of narrow numbers is a double; comparisons of float32 with a double literal are in double, as in Spark', async () => {
    await expectSame(
      t.groupBy('k').agg(avg('b').alias('ab'), avg('us').alias('aus')),
      `SELECT k, avg(b) AS ab, avg(us) AS aus FROM ${tSql()} GROUP BY k`,
    );
    // 0.1f is 0.100000001490116…: not equal to the double 0.1 (Spark widens the float), equal to 0.1 as a float.
    const n = await t.filter(col('f').eq(lit(-1.4))).count();
    expect(n).toBe(0);
    expect(await t.filter(col('f').eq(lit(-1.4).cast('float32'))).count()).toBe(1);
  });
});

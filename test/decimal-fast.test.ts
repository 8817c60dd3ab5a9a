/**
 * The fast path of short decimals (operators/decimal.ts `exactDoubles`): + - *, comparisons, casts
 * to double and sum/avg run on unscaled values as exact doubles while every value and result is
 * provably below 2^53, and fall back to BigInts otherwise. Values at the edge (2^52 − 1, 2^52,
 * 2^53 + 1, the 18-digit extremes) and sums that cross 2^52 again and again must come out digit for
 * digit as DuckDB computes them; wide results held as int64 (a product of two decimal(15,2) is
 * decimal(31,4)) must join and group with the same values held as BigInts (read from a file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBDecimalValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIpc, encodeIpc } from '../operators/arrow.js';
import {
  decimalVecOfDoubles,
  divRound,
  doublesOf,
  EXACT_LIMIT,
  exactDoubles,
  longsFromDoubles,
  vecDoubles,
} from '../operators/decimal.js';
import type { DecimalVec } from '../operators/vector.js';
import { concatVecs, take, vecFromValues, vecLength } from '../operators/vector.js';
import {
  avg,
  col,
  count,
  expr,
  lit,
  max,
  min,
  round,
  session,
  sum,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { decimalCell, expectSameResults, rowsFromArrow, type Cell, type ResultSet } from './support/compare.js';
import { tempDir } from './support/tpch.js';

const P52 = 2n ** 52n;
/**
 * 400 rows, several row groups and files: `e` decimal(18,0) at the fast path's edges, `a`/`b`
 * decimal(15,2) (INT64 in the file), `c` decimal(9,2) (INT32).
 */
const T_SQL = `
  SELECT
    id::INTEGER AS id,
    (id % 3)::INTEGER AS g,
    CASE
      WHEN id % 17 = 0 THEN NULL
      WHEN id = 1 THEN ${P52 - 1n}
      WHEN id = 2 THEN ${P52}
      WHEN id = 3 THEN ${P52 + 1n}
      WHEN id = 4 THEN -${P52}
      WHEN id = 5 THEN ${2n ** 53n + 1n}
      WHEN id = 6 THEN 999999999999999999
      WHEN id = 7 THEN -999999999999999999
      WHEN id < 200 THEN 3000000000000000 + id
      ELSE id * 1000 - 7
    END::DECIMAL(18,0) AS e,
    CASE WHEN id % 13 = 0 THEN NULL ELSE ((id * 7919) % 10007 - 5000) / 100.0 END::DECIMAL(15,2) AS a,
    (((id * 31) % 97) / 100.0)::DECIMAL(15,2) AS b,
    CASE WHEN id % 11 = 0 THEN NULL WHEN id = 9 THEN 9999999.99 WHEN id = 10 THEN -9999999.99
      ELSE ((id * 104729) % 2000003 - 1000000) / 100.0 END::DECIMAL(9,2) AS c
  FROM range(0, 400) AS t(id)`;

let s: Session;
let conn: DuckDBConnection;
let closeDuck: () => void;
let t: DataFrame;
let keys: DataFrame;
let tSql: string;
let keysSql: string;

/** DuckDB rows, decimals exact. */
async function duck(sql: string): Promise<ResultSet> {
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows().map((row) =>
    row.map((v): Cell => {
      if (v instanceof DuckDBDecimalValue) return decimalCell(v.value, v.scale);
      if (typeof v === 'bigint') return Number(v);
      if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
      return String(v);
    }),
  );
  return { columns: reader.columnNames(), rows };
}

async function expectSame(df: DataFrame, sql: string): Promise<void> {
  expectSameResults(rowsFromArrow(await df.collect()), await duck(sql), { ordered: false });
}

beforeAll(async () => {
  const dir = tempDir('stratus-decimal-fast-');
  const instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  closeDuck = () => {
    conn.closeSync();
    instance.closeSync();
  };
  const write = async (sql: string, name: string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    for (let i = 0; i < 2; i++)
      await conn.run(
        `COPY (SELECT * FROM (${sql}) WHERE id % 2 = ${i}) TO '${d}/part-${i}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 64)`,
      );
    return d;
  };
  const tDir = await write(T_SQL, 't');
  tSql = `read_parquet('${tDir}/*.parquet')`;
  // decimal(31,4) keys read from a file (BigInts in the engine), equal to some a * b computed in kernels.
  const keysDir = await write(
    `SELECT id, (a * b)::DECIMAL(31,4) AS k, 'k' || id AS tag FROM (${T_SQL}) WHERE id % 5 = 0 AND a IS NOT NULL`,
    'keys',
  );
  keysSql = `read_parquet('${keysDir}/*.parquet')`;
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  t = s.read.parquet(tDir);
  keys = s.read.parquet(keysDir);
});
afterAll(async () => {
  await s?.stop();
  closeDuck?.();
});

describe('short decimals: fast exact path and its BigInt fallback', () => {
  it('reads values below 2^52 as exact doubles and refuses 2^52 and beyond', () => {
    const v = new BigInt64Array([0n, -1n, P52 - 1n, -(P52 - 1n), 123456789012n]);
    const d = new Float64Array(v.length);
    expect(exactDoubles(v, v.length, d)).toBe(Number(P52 - 1n));
    expect([...d]).toEqual([0, -1, Number(P52 - 1n), -Number(P52 - 1n), 123456789012]);
    expect([...longsFromDoubles(d, d.length)]).toEqual([...v]);
    for (const edge of [P52, -P52, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)])
      expect(exactDoubles(new BigInt64Array([1n, edge]), 2, new Float64Array(2))).toBe(Number.POSITIVE_INFINITY);
    expect(EXACT_LIMIT).toBe(2 ** 52);
    expect([...longsFromDoubles(new Float64Array([2 ** 53 - 1, -(2 ** 53 - 1)]), 2)]).toEqual([
      2n ** 53n - 1n,
      -(2n ** 53n - 1n),
    ]);
  });

  it('a column computed as exact doubles builds its int64 values when read; inexact doubles are refused', () => {
    const d = new Float64Array([1, -2, 2 ** 52 - 1, -(2 ** 52 - 1)]);
    const v = decimalVecOfDoubles('decimal(18,0)', d, 2 ** 52 - 1, null);
    expect(vecDoubles(v, 4)!.doubles).toBe(d);
    expect(vecLength(v)).toBe(4);
    const picked = take(v, Int32Array.from([2, 0, 3])) as DecimalVec;
    expect(vecDoubles(picked, 3)!.max).toBe(2 ** 52 - 1);
    expect([...picked.values]).toEqual([P52 - 1n, 1n, -(P52 - 1n)]);
    expect([...v.values]).toEqual([1n, -2n, P52 - 1n, -(P52 - 1n)]);
    expect(doublesOf(v.values as BigInt64Array, 4)!.doubles).toBe(d);
    expect(() => decimalVecOfDoubles('decimal(18,0)', new Float64Array([2 ** 52]), 2 ** 52, null)).toThrow(RangeError);
    // Concatenated with int64 columns: as doubles while every part has them, as int64 values otherwise.
    const known = vecFromValues('decimal(18,0)', [5n, -7n]) as DecimalVec;
    doublesOf(known.values as BigInt64Array, 2);
    const both = concatVecs('decimal(18,0)', [v, known]) as DecimalVec;
    expect(vecDoubles(both, 6)!.max).toBe(2 ** 52 - 1);
    expect([...both.values]).toEqual([1n, -2n, P52 - 1n, -(P52 - 1n), 5n, -7n]);
    const wide = concatVecs('decimal(18,0)', [v, vecFromValues('decimal(18,0)', [P52 + 1n])]) as DecimalVec;
    expect(vecDoubles(wide, 5)).toBeNull();
    expect([...wide.values]).toEqual([1n, -2n, P52 - 1n, -(P52 - 1n), P52 + 1n]);
  });

  it('sum crosses 2^52 many times and stays exact; sums beyond 2^63 too', async () => {
    const df = t.groupBy('g').agg(sum('e').alias('se'), sum('a').alias('sa'), count('e').alias('n'));
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(28,0)', 'decimal(25,2)', 'int64']);
    await expectSame(df, `SELECT g, sum(e) AS se, sum(a) AS sa, count(e) AS n FROM ${tSql} GROUP BY g`);
    // Rows 8..199 hold about 3·10^15 (> 2^51) each: every second addition carries past 2^52.
    await expectSame(
      t.filter(col('id').geq(8).and(col('id').lt(200))).agg(sum('e').alias('se')),
      `SELECT sum(e) AS se FROM ${tSql} WHERE id >= 8 AND id < 200`,
    );
    await expectSame(t.agg(sum('e').alias('se')), `SELECT sum(e) AS se FROM ${tSql}`);
  });

  it('avg at the edge is the exact mean, HALF_UP at Spark scale s+4', async () => {
    const df = t.groupBy('g').agg(avg('e').alias('ae'), avg('a').alias('aa'));
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(22,4)', 'decimal(19,6)']);
    const inputs = await duck(`SELECT g, sum(e), count(e), sum(a), count(a) FROM ${tSql} GROUP BY g`);
    const mean = (total: Cell, n: Cell, scale: number, outScale: number) => {
      const text = (total as { decimal: string }).decimal.replace('.', '');
      return decimalCell(divRound(BigInt(text) * 10n ** BigInt(outScale - scale), BigInt(n as number)), outScale);
    };
    expectSameResults(
      rowsFromArrow(await df.collect()),
      {
        columns: ['g', 'ae', 'aa'],
        rows: inputs.rows.map(([g, se, ne, sa, na]) => [g!, mean(se!, ne!, 0, 4), mean(sa!, na!, 2, 6)]),
      },
      { ordered: false },
    );
  });

  it('+ - * at the edge equal DuckDB (the fast path where provable, BigInts where not)', async () => {
    const df = t.select(
      'id',
      col('e').plus(col('e')).alias('ee'),
      col('e').minus(1).alias('em'),
      col('e').multiply(col('e')).alias('sq'),
      col('a').multiply(col('b')).alias('ab'),
      col('a')
        .multiply(lit(1).minus(col('b')))
        .multiply(lit(1).plus(col('b')))
        .alias('charge'),
      col('a').minus(col('b')).alias('amb'),
    );
    expect((await df.schema()).map((f) => f.type)).toEqual([
      'int32',
      'decimal(19,0)',
      'decimal(19,0)',
      'decimal(37,0)',
      'decimal(31,4)',
      'decimal(38,6)',
      'decimal(16,2)',
    ]);
    await expectSame(
      df,
      `SELECT id, e::DECIMAL(19,0) + e AS ee, e::DECIMAL(19,0) - 1 AS em, e::DECIMAL(37,0) * e AS sq, a * b AS ab, a * (1 - b) * (1 + b) AS charge, a - b AS amb FROM ${tSql}`,
    );
    // Every input below 2^52 but products (and e rescaled for + a) beyond 2^53: the bound must send them to BigInts.
    await expectSame(
      t
        .filter(col('id').geq(8).and(col('id').lt(200)))
        .select('id', col('e').multiply(col('e')).alias('sq'), col('e').plus(col('a')).alias('ea')),
      `SELECT id, e::DECIMAL(37,0) * e AS sq, e + a AS ea FROM ${tSql} WHERE id >= 8 AND id < 200`,
    );
    // Only small values: the whole batch can take the fast path.
    await expectSame(
      df.filter(col('id').geq(200)).select('id', 'ee', 'em', 'ab'),
      `SELECT id, e::DECIMAL(19,0) + e AS ee, e::DECIMAL(19,0) - 1 AS em, a * b AS ab FROM ${tSql} WHERE id >= 200`,
    );
  });

  it('sums of + - * arguments equal DuckDB (computed without temporaries where provable, by the kernels where not)', async () => {
    const disc = col('b').multiply(lit(1).minus(col('b')));
    const sums = (df: DataFrame) =>
      df
        .groupBy('g')
        .agg(
          sum(col('a').multiply(lit(1).minus(col('b')))).alias('sa'),
          sum(disc).alias('sd'),
          sum(disc.multiply(lit(1).plus(col('b')))).alias('sc'),
          sum(col('e').plus(col('b'))).alias('se'),
        );
    const sql = (where: string) =>
      `SELECT g, sum(a * (1 - b)) AS sa, sum(b * (1 - b)) AS sd, sum(b * (1 - b) * (1 + b)) AS sc, sum(e::DECIMAL(21,2) + b) AS se FROM ${tSql} ${where} GROUP BY g`;
    // a and e hold nulls, e reaches 2^52 and beyond: those go to the kernels; b's arithmetic does not.
    await expectSame(sums(t), sql(''));
    await expectSame(sums(t.filter(col('id').geq(200))), sql('WHERE id >= 200'));
  });

  it('comparisons and casts to double at the edge', async () => {
    await expectSame(
      t.filter(col('e').gt(lit(P52 - 1n))).select('id', 'e'),
      `SELECT id, e FROM ${tSql} WHERE e > ${P52 - 1n}`,
    );
    await expectSame(
      t.filter(col('e').equalTo(lit(P52 + 1n))).select('id'),
      `SELECT id FROM ${tSql} WHERE e = ${P52 + 1n}`,
    );
    await expectSame(
      t.filter(col('a').lt(24).and(col('b').between(0.05, 0.07))).select('id', 'a'),
      `SELECT id, a FROM ${tSql} WHERE a < 24 AND b::DOUBLE BETWEEN 0.05 AND 0.07`,
    );
    await expectSame(
      t.select('id', col('e').cast('float64').alias('de'), col('a').cast('float64').alias('da')),
      `SELECT id, e::DOUBLE AS de, a::DOUBLE AS da FROM ${tSql}`,
    );
  });

  it('wide results held as int64 join and group with the same values held as BigInts', async () => {
    const computed = t.select('id', col('a').multiply(col('b')).alias('k'));
    expect((await computed.schema())[1]!.type).toBe('decimal(31,4)');
    await expectSame(
      computed.join(keys.select(col('k').alias('k2'), 'tag'), col('k').equalTo(col('k2'))).select('id', 'tag', 'k'),
      `SELECT t.id, tag, a * b AS k FROM ${tSql} t JOIN ${keysSql} ON a * b = k`,
    );
    await expectSame(
      computed.select('k').union(keys.select('k')).groupBy('k').agg(count('*').alias('n')),
      `SELECT k, count(*) AS n FROM (SELECT a * b AS k FROM ${tSql} UNION ALL SELECT k FROM ${keysSql}) GROUP BY k`,
    );
  });
});

describe('short decimals read by our page decoder (a filtered scan) and moved through shuffles', () => {
  it('INT32 and INT64 decimals, dictionary and plain, nulls and 2^52 and beyond, equal DuckDB', async () => {
    // g = 0 keeps a third of every row group: the late scan decodes e, a, b, c itself for the survivors.
    await expectSame(
      t
        .filter(col('g').equalTo(0))
        .agg(
          sum('e').alias('se'),
          sum('a').alias('sa'),
          sum('c').alias('sc'),
          max('e').alias('xe'),
          min('c').alias('nc'),
        ),
      `SELECT sum(e) AS se, sum(a) AS sa, sum(c) AS sc, max(e) AS xe, min(c) AS nc FROM ${tSql} WHERE g = 0`,
    );
    await expectSame(
      t
        .filter(col('g').equalTo(1))
        .select('id', 'e', 'c', col('e').plus(col('e')).alias('ee'), col('c').multiply(col('a')).alias('ca')),
      `SELECT id, e, c, e::DECIMAL(19,0) + e AS ee, c * a AS ca FROM ${tSql} WHERE g = 1`,
    );
    // Conjuncts on the decimal dictionaries themselves.
    await expectSame(
      t
        .filter(
          col('c')
            .lt(0)
            .and(
              col('e')
                .geq(lit(P52 - 1n))
                .or(col('a').gt(10)),
            ),
        )
        .select('id', 'e', 'a', 'c'),
      `SELECT id, e, a, c FROM ${tSql} WHERE c < 0 AND (e >= ${P52 - 1n} OR a > 10)`,
    );
  });

  it('wide decimals cross Arrow IPC as int64 when every value fits, as BigInts beyond 2^63', () => {
    const type = 'decimal(28,0)';
    const schema = [{ name: 'x', type, nullable: true }] as const;
    const roundTrip = (values: (bigint | null)[]) =>
      decodeIpc(
        encodeIpc(schema, [{ schema, columns: [vecFromValues(type, values)], length: values.length }]),
        schema,
      )[0]!.columns[0] as DecimalVec;
    const small = roundTrip([1n, -5n, null, 2n ** 62n, -(2n ** 63n)]);
    expect(small.values).toBeInstanceOf(BigInt64Array);
    expect([...small.values]).toEqual([1n, -5n, 0n, 2n ** 62n, -(2n ** 63n)]);
    const exact = roundTrip([7n, -(2n ** 51n)]);
    expect([...doublesOf(exact.values as BigInt64Array, 2)!.doubles]).toEqual([7, -(2 ** 51)]);
    const big = roundTrip([1n, 2n ** 63n, -(2n ** 63n) - 1n, 10n ** 27n, -(2n ** 64n)]);
    expect([...big.values]).toEqual([1n, 2n ** 63n, -(2n ** 63n) - 1n, 10n ** 27n, -(2n ** 64n)]);
  });

  it('sums of large values over big batches carry past 2^52 run by run and stay exact', async () => {
    // 20,000 rows of about 10^13 in one row group: runs of ~450 rows fit below 2^52 per group, then carry.
    const dir = tempDir('stratus-decimal-runs-');
    await conn.run(
      `COPY (SELECT (id % 3)::INTEGER AS g, (9999999999999 - id * 7919)::DECIMAL(18,0) AS v, (id % 2 = 0) AS even FROM range(0, 20000) t(id)) TO '${dir}/runs.parquet' (FORMAT parquet)`,
    );
    const sql = `read_parquet('${dir}/runs.parquet')`;
    const runs = s.read.parquet(dir);
    await expectSame(
      runs.groupBy('g').agg(sum('v').alias('s'), count('v').alias('n')),
      `SELECT g, sum(v) AS s, count(v) AS n FROM ${sql} GROUP BY g`,
    );
    await expectSame(runs.agg(sum('v').alias('s')), `SELECT sum(v) AS s FROM ${sql}`);
    // 16 groups (four lanes a group), 15 and a filter's scratch group, then 31 (one sum a group);
    // avg reads the counts the lanes keep (compared unscaled: DuckDB's avg is a double).
    for (const [k, filter] of [
      [16, 'true'],
      [15, 'v % 7 <> 3'],
      [31, 'true'],
    ] as const)
      await expectSame(
        runs
          .filter(expr(filter))
          .groupBy(col('v').cast('int64').mod(k).alias('k'))
          .agg(sum('v').alias('s'), avg('v').multiply(10000).cast('int64').alias('a'), count('v').alias('n')),
        `SELECT v::BIGINT % ${k} AS k, sum(v) AS s, ((sum(v)::HUGEINT * 20000 + count(v)) // (2 * count(v)))::BIGINT AS a,
          count(v) AS n FROM ${sql} WHERE ${filter} GROUP BY k`,
      );
  });

  it('group sums beyond 2^63 shuffled as partial states stay exact', async () => {
    const df = t
      .filter(col('e').gt(lit(P52)))
      .groupBy('g')
      .agg(sum(col('e').multiply(10)).alias('s'));
    await expectSame(df, `SELECT g, sum(e::DECIMAL(29,0) * 10) AS s FROM ${tSql} WHERE e > ${P52} GROUP BY g`);
  });
});

describe('round(decimal, d)', () => {
  it("has Spark's type (one more integral digit, min(s, d) fraction digits, none when d < 0) and DuckDB's values", async () => {
    const df = t.select(
      'id',
      round(col('a'), 1).alias('r1'),
      round(col('a')).alias('r0'),
      round(col('a'), -2).alias('rm2'),
      round(col('a'), 5).alias('r5'),
      round(col('e'), -3).alias('em3'),
      round(col('e'), -25).alias('em25'),
    );
    expect((await df.schema()).map((f) => f.type)).toEqual([
      'int32',
      'decimal(15,1)',
      'decimal(14,0)',
      'decimal(14,0)',
      'decimal(16,2)',
      'decimal(19,0)',
      'decimal(26,0)',
    ]);
    await expectSame(
      df,
      `SELECT id, round(a, 1) AS r1, round(a, 0) AS r0, round(a, -2) AS rm2, a AS r5, round(e, -3) AS em3, CASE WHEN e IS NULL THEN NULL ELSE 0 END AS em25 FROM ${tSql}`,
    );
  });
});

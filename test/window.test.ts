/**
 * Window functions against DuckDB on whole results: a generated table (nulls in partition and
 * order keys, ties in the order key, several partitions) in three files read as several scan
 * tasks, hash-shuffled to three partitions. Ranking, lag/lead, first/last/nth_value and the
 * aggregates, with default, ROWS and RANGE frames; Spark's null order (ASC nulls first, DESC
 * nulls last) is spelled out in DuckDB's SQL. Plus plan-time errors and the window stage in explain.
 */
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avg,
  col,
  count,
  cume_dist,
  dense_rank,
  first_value,
  lag,
  last_value,
  lead,
  max,
  min,
  nth_value,
  ntile,
  percent_rank,
  rank,
  row_number,
  session,
  sum,
  Window,
  type Column,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { runQuery, type TypedResult } from './support/fixtures.js';
import { tempDir } from './support/tpch.js';

/** 240 rows: k (int, null every 11th), g (string, null every 13th), o (ties, null every 7th), x int64, v double. */
const T_SQL = `
  SELECT i::INTEGER AS id,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 4)::INTEGER END AS k,
    CASE WHEN i % 13 = 0 THEN NULL ELSE chr((97 + i % 3)::INTEGER) END AS g,
    CASE WHEN i % 7 = 0 THEN NULL ELSE ((i * 37) % 10)::INTEGER END AS o,
    CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 53) % 100)::BIGINT END AS x,
    CASE WHEN i % 9 = 0 THEN NULL ELSE ((i * 17) % 50) / 4.0 END::DOUBLE AS v
  FROM range(0, 240) t(i)`;

let s: Session;
let duck: { query(sql: string): Promise<TypedResult>; close(): void };
let t: DataFrame;
let tSql: string;
let big: DataFrame;
let bigSql: string;

beforeAll(async () => {
  const dir = tempDir('stratus-window-');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const data = path.join(dir, 't');
  await connection.run(`CREATE TABLE t AS ${T_SQL}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(data);
  for (const [i, where] of ['id < 90', 'id >= 90 AND id < 170', 'id >= 170'].entries())
    await connection.run(
      `COPY (SELECT * FROM t WHERE ${where} ORDER BY id) TO '${path.join(data, `part-${i}.parquet`)}' (FORMAT parquet, ROW_GROUP_SIZE 20)`,
    );
  tSql = `read_parquet('${data}/*.parquet')`;
  const bigFile = path.join(dir, 'big.parquet');
  await connection.run(
    `COPY (SELECT i::INTEGER AS id, (i % 97)::BIGINT AS x FROM range(0, 30000) t(i)) TO '${bigFile}' (FORMAT parquet)`,
  );
  bigSql = `read_parquet('${bigFile}')`;
  duck = {
    query: (sql) => runQuery(connection, sql),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
  s = session({ store: tempDir(), executors: 1, progress: false, job: { shufflePartitions: 3, taskBytes: 1500 } });
  t = s.read.parquet(data);
  big = s.read.parquet(bigFile);
});
afterAll(async () => {
  await s?.stop();
  duck?.close();
});

const BASE = ['id', 'k', 'g', 'o', 'x', 'v'];

/** Each named window column next to the base columns, compared with DuckDB's on whole results. */
async function expectWindows(cols: Record<string, [Column, string]>): Promise<void> {
  const names = Object.keys(cols);
  const df = t.select(...BASE, ...names.map((n) => cols[n]![0].alias(n)));
  const sql = `SELECT ${BASE.join(', ')}, ${names.map((n) => `${cols[n]![1]} AS ${n}`).join(', ')} FROM ${tSql}`;
  expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false });
}

// Spark's null order, said explicitly to DuckDB.
const A = Window.partitionBy('k').orderBy('o', 'id');
const A_SQL = 'PARTITION BY k ORDER BY o ASC NULLS FIRST, id ASC NULLS FIRST';
const B = Window.partitionBy('g').orderBy(col('o').desc());
const B_SQL = 'PARTITION BY g ORDER BY o DESC NULLS LAST';
const C = Window.orderBy('o', col('id').desc());
const C_SQL = 'ORDER BY o ASC NULLS FIRST, id DESC NULLS LAST';
const D = Window.partitionBy('k', 'g');
const D_SQL = 'PARTITION BY k, g';
const R = Window.partitionBy('k').orderBy('o');
const R_SQL = 'PARTITION BY k ORDER BY o ASC NULLS FIRST';

describe('window functions match DuckDB', () => {
  it('row_number, ntile (total order) and rank, dense_rank, percent_rank, cume_dist (ties, DESC)', async () => {
    await expectWindows({
      rn: [row_number().over(A), `row_number() OVER (${A_SQL})`],
      nt: [ntile(4).over(A), `ntile(4) OVER (${A_SQL})`],
      nt7: [ntile(7).over(C), `ntile(7) OVER (${C_SQL})`],
      rk: [rank().over(B), `rank() OVER (${B_SQL})`],
      dr: [dense_rank().over(B), `dense_rank() OVER (${B_SQL})`],
      pr: [percent_rank().over(B), `percent_rank() OVER (${B_SQL})`],
      cd: [cume_dist().over(B), `cume_dist() OVER (${B_SQL})`],
      rk_r: [rank().over(R), `rank() OVER (${R_SQL})`],
    });
  });

  it('lag and lead with offsets and defaults, partitioned and global', async () => {
    await expectWindows({
      lag1: [lag('x').over(A), `lag(x) OVER (${A_SQL})`],
      lag2: [lag('x', 2, 0).over(A), `lag(x, 2, 0) OVER (${A_SQL})`],
      lead1: [lead('v').over(A), `lead(v) OVER (${A_SQL})`],
      lead3: [lead('v', 3, -1.5).over(A), `lead(v, 3, -1.5) OVER (${A_SQL})`],
      lagg: [lag('id', 1, -1).over(C), `lag(id, 1, -1) OVER (${C_SQL})`],
      leadg: [lead('g', 2, 'none').over(C), `lead(g, 2, 'none') OVER (${C_SQL})`],
    });
  });

  it('running aggregates: the default RANGE frame, ties share a value (DESC, nulls last)', async () => {
    await expectWindows({
      s: [sum('x').over(B), `sum(x) OVER (${B_SQL})`],
      a: [avg('v').over(B), `avg(v) OVER (${B_SQL})`],
      mn: [min('x').over(B), `min(x) OVER (${B_SQL})`],
      mx: [max('v').over(B), `max(v) OVER (${B_SQL})`],
      c: [count('x').over(B), `count(x) OVER (${B_SQL})`],
      cs: [count().over(R), `count(*) OVER (${R_SQL})`],
      sg: [sum('x').over(C), `sum(x) OVER (${C_SQL})`],
    });
  });

  it('whole-partition aggregates (no ORDER BY), and over the whole table', async () => {
    await expectWindows({
      s: [sum('x').over(D), `sum(x) OVER (${D_SQL})`],
      a: [avg('v').over(D), `avg(v) OVER (${D_SQL})`],
      mn: [min('g').over(Window.partitionBy('k')), 'min(g) OVER (PARTITION BY k)'],
      c: [count().over(D), `count(*) OVER (${D_SQL})`],
      all: [max('x').over(Window.partitionBy()), 'max(x) OVER ()'],
      share: [col('x').divide(sum('x').over(Window.partitionBy('k'))), 'x / sum(x) OVER (PARTITION BY k)'],
    });
  });

  it('rowsBetween frames', async () => {
    const u = Window.unboundedPreceding;
    const f = Window.unboundedFollowing;
    await expectWindows({
      s3: [
        sum('x').over(A.rowsBetween(-2, Window.currentRow)),
        `sum(x) OVER (${A_SQL} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`,
      ],
      a3: [avg('v').over(A.rowsBetween(-1, 1)), `avg(v) OVER (${A_SQL} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)`],
      mnf: [
        min('x').over(A.rowsBetween(0, f)),
        `min(x) OVER (${A_SQL} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`,
      ],
      cb: [
        count('x').over(A.rowsBetween(u, -1)),
        `count(x) OVER (${A_SQL} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`,
      ],
      mxa: [max('v').over(A.rowsBetween(1, 3)), `max(v) OVER (${A_SQL} ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING)`],
      all: [
        sum('x').over(Window.partitionBy('g').rowsBetween(u, f)),
        'sum(x) OVER (PARTITION BY g ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
      ],
      run: [
        sum('v').over(C.rowsBetween(u, 0)),
        `sum(v) OVER (${C_SQL} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
      ],
    });
  });

  it('rangeBetween frames over a numeric key with ties and nulls, ASC and DESC', async () => {
    const u = Window.unboundedPreceding;
    const f = Window.unboundedFollowing;
    await expectWindows({
      s: [sum('x').over(R.rangeBetween(-2, 1)), `sum(x) OVER (${R_SQL} RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING)`],
      c: [
        count().over(R.rangeBetween(u, -1)),
        `count(*) OVER (${R_SQL} RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`,
      ],
      mn: [
        min('x').over(R.rangeBetween(0, f)),
        `min(x) OVER (${R_SQL} RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`,
      ],
      mx: [max('v').over(R.rangeBetween(1, 3)), `max(v) OVER (${R_SQL} RANGE BETWEEN 1 FOLLOWING AND 3 FOLLOWING)`],
      d: [sum('x').over(B.rangeBetween(-1, 2)), `sum(x) OVER (${B_SQL} RANGE BETWEEN 1 PRECEDING AND 2 FOLLOWING)`],
      cur: [
        count('x').over(R.rangeBetween(0, 0)),
        `count(x) OVER (${R_SQL} RANGE BETWEEN CURRENT ROW AND CURRENT ROW)`,
      ],
    });
  });

  it('first_value, last_value and nth_value with default and ROWS frames', async () => {
    await expectWindows({
      fv: [first_value('x').over(A), `first_value(x) OVER (${A_SQL})`],
      lv: [last_value('x').over(A), `last_value(x) OVER (${A_SQL})`],
      nv: [nth_value('v', 3).over(A), `nth_value(v, 3) OVER (${A_SQL})`],
      fv2: [
        first_value('g').over(A.rowsBetween(-1, 1)),
        `first_value(g) OVER (${A_SQL} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)`,
      ],
      lv2: [
        last_value('x').over(A.rowsBetween(-3, -1)),
        `last_value(x) OVER (${A_SQL} ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING)`,
      ],
      nv2: [
        nth_value('x', 2).over(D.orderBy('id').rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)),
        `nth_value(x, 2) OVER (${D_SQL} ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`,
      ],
    });
  });

  it('running and shrinking frames over one 30,000-row partition (each row fed once, then a prefix scan)', async () => {
    const w = Window.orderBy('id');
    const df = big.select(
      'id',
      sum('x').over(w).alias('run'),
      max('x').over(w.rowsBetween(0, Window.unboundedFollowing)).alias('rest'),
      avg('x').over(w.rowsBetween(Window.unboundedPreceding, -1)).alias('before'),
    );
    const sql = `SELECT id, sum(x) OVER (ORDER BY id) AS run,
      max(x) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest,
      avg(x) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM ${bigSql}`;
    expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false });
  });

  it('withColumn and two specs in one select', async () => {
    const df = t
      .withColumn('rn', row_number().over(A))
      .withColumn('tot', sum('x').over(Window.partitionBy('g')))
      .filter(col('rn').leq(3));
    const sql = `SELECT * FROM (SELECT *, row_number() OVER (${A_SQL}) AS rn, sum(x) OVER (PARTITION BY g) AS tot FROM ${tSql}) WHERE rn <= 3`;
    expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false });
  });
});

describe('window plans', () => {
  it('explain shows the window stage: hash exchange on the partition keys, sort, Window', async () => {
    const text = await t.select('id', row_number().over(A).alias('rn')).explain();
    expect(text).toMatch(/output=shuffle\(hash\[k\], n=3\)/);
    expect(text).toMatch(
      /ShuffleRead: stage=\d+\n\s+Sort: keys=\[k ASC NULLS FIRST, o ASC NULLS FIRST, id ASC NULLS FIRST\]\n\s+Window: partitionBy=\[k\] orderBy=\[o ASC NULLS FIRST, id ASC NULLS FIRST\] calls=\[row_number\(\) RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW AS __w0\]/,
    );
  });

  it('a window without partition keys gathers to one partition', async () => {
    const text = await t.select('id', sum('x').over(Window.orderBy('id')).alias('s')).explain();
    expect(text).toMatch(/output=shuffle\(single\)/);
    expect(text).toMatch(/Window: partitionBy=\[\] orderBy=\[id ASC NULLS FIRST\]/);
  });

  const fails = async (df: () => DataFrame, code: string, text: RegExp) => {
    const err = await (async () => df().collect())().then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err, 'expected an error').not.toBeNull();
    expect(err!.code).toBe(code);
    expect(err!.message).toMatch(text);
  };

  it('analysis errors name the window function', async () => {
    await fails(() => t.select(row_number().alias('r')), 'WINDOW_WITHOUT_OVER', /row_number\(\).*over/);
    await fails(() => t.select(rank().over(Window.partitionBy('k'))), 'WINDOW_NOT_ORDERED', /rank\(\).*orderBy/);
    await fails(() => t.select(lag('x').over(A.rowsBetween(-1, 0))), 'BAD_FRAME', /lag\(\).*frame/);
    await fails(() => t.select(sum('x').over(A.rowsBetween(2, 1))), 'BAD_FRAME', /sum\(\).*lower bound/);
    await fails(() => t.select(sum('x').over(A.rangeBetween(-1, 1))), 'BAD_FRAME', /sum\(\).*exactly one ORDER BY key/);
    await fails(
      () => t.select(sum('x').over(Window.orderBy('g').rangeBetween(-1, 1))),
      'BAD_FRAME',
      /sum\(\).*numeric or date ORDER BY key, got string/,
    );
    await fails(() => t.select(ntile(0).over(A)), 'BAD_ARGUMENT', /ntile\(\).*integer literal ≥ 1/);
    await fails(
      () => t.filter(row_number().over(A).leq(2)),
      'WINDOW_NOT_ALLOWED',
      /row_number\(\).*select\(\) \/ withColumn\(\)/,
    );
    await fails(() => t.select(col('x').over(A)), 'NOT_A_WINDOW_FUNCTION', /over\(\) applies to a window function/);
  });
});

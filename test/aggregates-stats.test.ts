/**
 * The statistical, sketch, pick and collection aggregates against DuckDB on whole results: a
 * generated table (nulls in keys and values, a group whose values are all NULL, a one-row group)
 * in three files read as several scan tasks, grouped and global, with partial aggregation on and
 * off; over windows; in SQL and expr(). HyperLogLog's error bound on 100k distinct values for
 * several rsd; percentile_approx's rank error against exact ranks, exact on small inputs (DuckDB's
 * quantile_disc has Spark's rank ceil(p·n)); list results collected, printed and written as
 * Parquet LIST.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  any_value,
  approx_count_distinct,
  type Column,
  col,
  collect_list,
  collect_set,
  corr,
  covar_pop,
  covar_samp,
  type DataFrame,
  array_contains,
  expr,
  first,
  last,
  lit,
  median,
  percentile_approx,
  type Session,
  size,
  stddev,
  stddev_pop,
  stddev_samp,
  var_pop,
  var_samp,
  variance,
  Window,
} from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import type { TypedResult } from './support/fixtures.js';
import { generatedTables, partialOnAndOff } from './support/generated.js';
import { tempDir } from './support/tpch.js';

/** 600 rows: k (null every 11th; k = 3 has only NULL v; k = 9 one row), v double, x int64, d decimal, s string, u: one non-null per id % 50. */
const T_SQL = `
  SELECT i::INTEGER AS id,
    CASE WHEN i = 599 THEN 9 WHEN i % 11 = 0 THEN NULL ELSE (i % 4)::INTEGER END AS k,
    CASE WHEN i % 7 = 0 OR (i % 4 = 3 AND i <> 599) THEN NULL ELSE ((i * 37) % 101) / 4.0 END::DOUBLE AS v,
    CASE WHEN i % 9 = 0 THEN NULL ELSE ((i * 53) % 97 - 40)::BIGINT END AS x,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ((i * 31) % 1000 / 100.0)::DECIMAL(9,2) END AS d,
    CASE WHEN i % 6 = 0 THEN NULL ELSE chr((97 + i % 7)::INTEGER) END AS s,
    CASE WHEN i // 50 = (i % 50) % 12 THEN (i * 3)::INTEGER ELSE NULL END AS u
  FROM range(0, 600) t(i)`;

/**
 * 61 rows in three groups (21, 20 and 20 rows: odd and even counts): int64 around ±2^62 and
 * 2^53 + odd (not doubles), decimal(38,10) with 28 integer digits, timestamps before 1970 in µs.
 */
const HUGE_SQL = `
  SELECT i::INTEGER AS id, (i % 3)::INTEGER AS g,
    CASE i % 4 WHEN 0 THEN 4611686018427387904 + i * 1000003 WHEN 1 THEN -4611686018427387904 - i * 7
      WHEN 2 THEN 9007199254740993 + 2 * i ELSE i - 30 END::BIGINT AS x,
    (CASE WHEN i % 2 = 0 THEN '' ELSE '-' END || '9999999999999999999999999' || lpad(((i * 37) % 1000)::VARCHAR, 3, '0')
      || '.' || lpad(((i * 7919 * 104729) % 10000000000)::VARCHAR, 10, '0'))::DECIMAL(38,10) AS d,
    make_timestamp(-2208988800000000 + i * 1234567890123 - (i % 5) * 999999999999) AS ts
  FROM range(0, 61) t(i)`;

let on: Session;
let off: Session;
let duck: { query(sql: string): Promise<TypedResult>; close(): void };
let dir: string;
let tSql: string;
let bigSql: string;
let hugeSql: string;
const t = (s: Session) => s.read.parquet(path.join(dir, 't'));
const big = (s: Session) => s.read.parquet(path.join(dir, 'big'));
const huge = (s: Session) => s.read.parquet(path.join(dir, 'huge'));

beforeAll(async () => {
  dir = tempDir('stratus-aggs-');
  const fx = await generatedTables(dir, {
    t: { sql: T_SQL, parts: ['id < 200', 'id >= 200 AND id < 420', 'id >= 420'], rowGroup: 40 },
    // 200k rows, 100k distinct values: y is a permutation of 0..99999 twice over (7919 is prime to 100000).
    big: {
      sql: `SELECT i::INTEGER AS id, (i % 10)::INTEGER AS g, ((i * 7919) % 100000)::BIGINT AS y, 'u' || (i % 100000)::VARCHAR AS w FROM range(0, 200000) t(i)`,
      parts: ['id < 100000', 'id >= 100000'],
      rowGroup: 20000,
    },
    huge: { sql: HUGE_SQL, parts: ['id < 25', 'id >= 25 AND id < 45', 'id >= 45'], rowGroup: 10 },
  });
  duck = fx.duck;
  tSql = fx.sql('t');
  bigSql = fx.sql('big');
  hugeSql = fx.sql('huge');
  ({ on, off } = partialOnAndOff(1));
});
afterAll(async () => {
  await on?.stop();
  await off?.stop();
  duck?.close();
});

const BOTH = [
  ['partial aggregation on', () => on],
  ['partial aggregation off', () => off],
] as const;

/** Named aggregates grouped by k (and global), compared with DuckDB's on whole results. */
async function expectAggs(s: Session, cols: Record<string, [Column, string]>, opts = { relTol: 1e-9 }) {
  const names = Object.keys(cols);
  const aggs = names.map((n) => cols[n]![0].alias(n));
  const sqls = names.map((n) => `${cols[n]![1]} AS ${n}`).join(', ');
  const grouped = await t(s)
    .groupBy('k')
    .agg(...aggs)
    .collect();
  const expected = await duck.query(`SELECT k, ${sqls} FROM ${tSql} GROUP BY k`);
  expectSameResults(rowsFromArrow(grouped), expected, { ordered: false, ...opts });
  const global = await t(s)
    .agg(...aggs)
    .collect();
  expectSameResults(rowsFromArrow(global), await duck.query(`SELECT ${sqls} FROM ${tSql}`), {
    ordered: false,
    ...opts,
  });
}

describe('statistical aggregates match DuckDB (grouped and global)', () => {
  for (const [label, s] of BOTH)
    it(`stddev / variance / covariance / corr / median, ${label}`, async () => {
      await expectAggs(s(), {
        sd: [stddev('v'), 'stddev(v)'],
        sds: [stddev_samp('x'), 'stddev_samp(x)'],
        sdp: [stddev_pop('v'), 'stddev_pop(v)'],
        vr: [variance('d'), 'variance(d)'],
        vs: [var_samp('v'), 'var_samp(v)'],
        vp: [var_pop('x'), 'var_pop(x)'],
        // Spark's corr is NULL over one row (DuckDB's NaN).
        c: [corr('v', 'x'), 'CASE WHEN regr_count(v, x) < 2 THEN NULL ELSE corr(v, x) END'],
        cs: [covar_samp('v', 'x'), 'covar_samp(v, x)'],
        cp: [covar_pop('x', 'd'), 'covar_pop(x, d)'],
        m: [median('v'), 'median(v)'],
        mx: [median('x'), 'median(x)'],
        md: [median('d'), 'quantile_cont(d::DOUBLE, 0.5)'],
      });
    });

  it('under a scan filter fused into the aggregate (rejected rows go to a scratch group that is reset)', async () => {
    const got = await t(on)
      .filter(col('id').mod(3).notEqual(0))
      .groupBy('k')
      .agg(
        stddev('v').alias('sd'),
        corr('x', 'd').alias('c'),
        percentile_approx('x', 0.5).alias('p'),
        approx_count_distinct('s').alias('n'),
        size(collect_list('x')).alias('l'),
        covar_pop('v', 'x').alias('cp'),
        median('d').alias('m'),
      )
      .collect();
    const exp = await duck.query(
      `SELECT k, stddev(v), CASE WHEN regr_count(x, d) < 2 THEN NULL ELSE corr(x, d) END, quantile_disc(x, 0.5), count(DISTINCT s), count(x)::INTEGER, covar_pop(v, x), quantile_cont(d::DOUBLE, 0.5) FROM ${tSql} WHERE id % 3 <> 0 GROUP BY k`,
    );
    expectSameResults(rowsFromArrow(got), exp, { ordered: false, ignoreNames: true, relTol: 1e-9 });
  });

  it("result types are Spark's: doubles; NULL over no rows, and the sample forms over one row", async () => {
    const schema = await t(on).agg(stddev('x').alias('a'), corr('x', 'd').alias('b'), median('x').alias('c')).schema();
    expect(schema.map((f) => f.type)).toEqual(['float64', 'float64', 'float64']);
    const rows = await t(on)
      .filter(col('k').equalTo(9))
      .agg(
        stddev('v').alias('s'),
        stddev_pop('v').alias('p'),
        covar_samp('v', 'x').alias('c'),
        var_samp('x').alias('vs'),
      )
      .collectRows();
    expect(rows).toEqual([{ s: null, p: 0, c: null, vs: null }]);
    const none = await t(on)
      .filter(col('id').lt(0))
      .agg(stddev('v').alias('s'), var_pop('v').alias('p'), median('v').alias('m'), corr('v', 'x').alias('c'))
      .collectRows();
    expect(none).toEqual([{ s: null, p: null, m: null, c: null }]);
    // The NULL literal as the argument: no values.
    const nulls = await t(on)
      .agg(
        stddev(lit(null)).alias('s'),
        collect_list(lit(null)).alias('l'),
        approx_count_distinct(lit(null)).alias('n'),
        percentile_approx(lit(null), 0.5).alias('p'),
      )
      .collectRows();
    expect(nulls).toEqual([{ s: null, l: [], n: 0, p: null }]);
  });
});

describe('first / last / any_value', () => {
  for (const [label, s] of BOTH)
    it(`with ignoreNulls pick the group's one non-null value, ${label}`, async () => {
      // u has one non-null value per id % 50 group: first/last ignoring nulls must find it.
      const df = t(s()).groupBy(col('id').mod(50).alias('g'));
      const got = await df
        .agg(first('u', true).alias('f'), last('u', true).alias('l'), any_value('u', true).alias('a'))
        .collect();
      const exp = await duck.query(
        `SELECT id % 50 AS g, max(u) AS f, max(u) AS l, max(u) AS a FROM ${tSql} GROUP BY 1`,
      );
      expectSameResults(rowsFromArrow(got), exp, { ordered: false });
    });

  it('over windows: first / last with and without ignoreNulls, running and sliding frames', async () => {
    const A = Window.partitionBy('k').orderBy('id');
    const A_SQL = 'PARTITION BY k ORDER BY id';
    const S = A.rowsBetween(-3, 1);
    const S_SQL = `${A_SQL} ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING`;
    await expectWindows({
      f: [first('v').over(A), `first_value(v) OVER (${A_SQL})`],
      fi: [first('v', true).over(A), `first_value(v IGNORE NULLS) OVER (${A_SQL})`],
      l: [last('v').over(S), `last_value(v) OVER (${S_SQL})`],
      li: [last('v', true).over(S), `last_value(v IGNORE NULLS) OVER (${S_SQL})`],
      fs: [first('s', true).over(S), `first_value(s IGNORE NULLS) OVER (${S_SQL})`],
    });
  });
});

/** Window columns next to id, compared with DuckDB's on whole results. */
async function expectWindows(cols: Record<string, [Column, string]>, relTol = 1e-9): Promise<void> {
  const names = Object.keys(cols);
  const df = t(on).select('id', ...names.map((n) => cols[n]![0].alias(n)));
  const sql = `SELECT id, ${names.map((n) => `${cols[n]![1]} AS ${n}`).join(', ')} FROM ${tSql}`;
  expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false, relTol });
}

describe('statistics over windows match DuckDB', () => {
  it('running, sliding and whole-partition frames', async () => {
    const A = Window.partitionBy('k').orderBy('id');
    const A_SQL = 'PARTITION BY k ORDER BY id';
    await expectWindows({
      sd: [stddev('v').over(A), `stddev(v) OVER (${A_SQL})`],
      vp: [
        var_pop('x').over(A.rowsBetween(-5, 5)),
        `var_pop(x) OVER (${A_SQL} ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING)`,
      ],
      c: [
        corr('v', 'x').over(Window.partitionBy('k')),
        'CASE WHEN regr_count(v, x) OVER (PARTITION BY k) < 2 THEN NULL ELSE corr(v, x) OVER (PARTITION BY k) END',
      ],
      cs: [
        covar_samp('x', 'd').over(A.rowsBetween(-2, 0)),
        `covar_samp(x, d) OVER (${A_SQL} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`,
      ],
      m: [median('v').over(Window.partitionBy('k')), 'median(v) OVER (PARTITION BY k)'],
      p: [percentile_approx('x', 0.3).over(Window.partitionBy('k')), 'quantile_disc(x, 0.3) OVER (PARTITION BY k)'],
    });
  });
});

describe('median / percentile_approx over growing frames (one order-statistics structure per chain)', () => {
  it('running and shrinking frames match DuckDB, scalar and array percentages', async () => {
    const A = Window.partitionBy('k').orderBy('id');
    const A_SQL = 'PARTITION BY k ORDER BY id';
    const R = A.rowsBetween(Window.unboundedPreceding, Window.currentRow);
    const R_SQL = `${A_SQL} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`;
    const S = A.rowsBetween(Window.currentRow, Window.unboundedFollowing);
    const S_SQL = `${A_SQL} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING`;
    await expectWindows({
      mv: [median('v').over(A), `median(v) OVER (${A_SQL})`],
      mx: [median('x').over(R), `median(x) OVER (${R_SQL})`],
      md: [median('d').over(S), `quantile_cont(d::DOUBLE, 0.5) OVER (${S_SQL})`],
      px: [percentile_approx('x', 0.3).over(R), `quantile_disc(x, 0.3) OVER (${R_SQL})`],
      pv: [percentile_approx('v', 0.9).over(S), `quantile_disc(v, 0.9) OVER (${S_SQL})`],
      pd: [percentile_approx('d', 0).over(A).cast('float64'), `(quantile_disc(d, 0) OVER (${A_SQL}))::DOUBLE`],
    });
    const got = await t(on)
      .select('id', percentile_approx('x', [0.1, 0.5, 1]).over(R).alias('q'))
      .orderBy('id')
      .collectRows();
    const exp = await duck.query(
      `SELECT id, array_to_string(quantile_disc(x, [0.1, 0.5, 1]) OVER (${R_SQL}), ',') FROM ${tSql} ORDER BY id`,
    );
    expect(got.map((r) => [r.id, r.q === null ? null : (r.q as unknown[]).join(',')])).toEqual(
      exp.rows.map((r) => [r[0], r[1] === null || r[1] === '' ? null : r[1]]),
    );
  });
});

/** A list cell as text, its elements sorted (or in order) and joined by commas; '' for an empty list. */
const listText = (v: unknown, sorted: boolean): string | null => {
  if (v === null || v === undefined) return null;
  const xs = [...(v as unknown[])];
  if (sorted)
    xs.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  return xs.join(',');
};

async function listRows(df: DataFrame, sorted: boolean): Promise<TypedResult['rows']> {
  const rows = await df.collectRows();
  return rows.map((r) => Object.values(r).map((v) => (Array.isArray(v) ? listText(v, sorted) : (v as number))));
}

describe('collect_list / collect_set', () => {
  for (const [label, s] of BOTH)
    it(`grouped and global match DuckDB's lists (sorted), empty lists for all-null groups, ${label}`, async () => {
      const df = t(s())
        .groupBy('k')
        .agg(
          collect_list('x').alias('lx'),
          collect_set('s').alias('ss'),
          collect_set('v').alias('sv'),
          collect_list('d').alias('ld'),
        );
      // Doubles as JS prints them (3, not DuckDB's 3.0).
      const nonNull = (c: string, distinct = false) =>
        `coalesce(array_to_string(list_transform(list_sort(list(${distinct ? 'DISTINCT ' : ''}${c}) FILTER (WHERE ${c} IS NOT NULL)), e -> regexp_replace(e::VARCHAR, '\\.0$', '')), ','), '')`;
      const exp = await duck.query(
        `SELECT k, ${nonNull('x')}, ${nonNull('s', true)}, ${nonNull('v', true)}, ${nonNull('d')} FROM ${tSql} GROUP BY k`,
      );
      expectSameResults({ columns: exp.columns, rows: await listRows(df, true) }, exp, {
        ordered: false,
        ignoreNames: true,
      });
      const global = await t(s()).agg(collect_set('x').alias('g')).collectRows();
      const g = await duck.query(`SELECT ${nonNull('x', true)} FROM ${tSql}`);
      expect(listText(global[0]!.g, true)).toBe(g.rows[0]![0]);
      // Spark: an empty group's list is empty, never NULL.
      const empty = await t(s()).filter(col('id').lt(0)).agg(collect_list('x').alias('l')).collectRows();
      expect(empty).toEqual([{ l: [] }]);
    });

  it('collect_list over an ordered window keeps the order; the type is list<T>, written as Parquet LIST', async () => {
    const w = t(on).select('id', collect_list('x').over(Window.partitionBy('k').orderBy('id')).alias('l'));
    const exp = await duck.query(
      `SELECT id, coalesce(array_to_string(list_filter(list(x) OVER (PARTITION BY k ORDER BY id), e -> e IS NOT NULL), ','), '') FROM ${tSql}`,
    );
    expectSameResults({ columns: exp.columns, rows: await listRows(w, false) }, exp, {
      ordered: false,
      ignoreNames: true,
    });

    const grouped = t(on).groupBy('k').agg(collect_list('x').alias('l'), collect_set('s').alias('ss'));
    expect((await grouped.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual([
      'k: int32',
      'l: list<int64>',
      'ss: list<string>',
    ]);
    const out = path.join(dir, 'lists');
    await grouped.write.parquet(out);
    const back = await duck.query(
      `SELECT k, typeof(l), coalesce(array_to_string(list_sort(l), ','), ''), coalesce(array_to_string(list_sort(ss), ','), '') FROM read_parquet('${out}/*.parquet')`,
    );
    const exp2 = await duck.query(
      `SELECT k, 'BIGINT[]', coalesce(array_to_string(list_sort(list(x) FILTER (WHERE x IS NOT NULL)), ','), ''), coalesce(array_to_string(list_sort(list(DISTINCT s) FILTER (WHERE s IS NOT NULL)), ','), '') FROM ${tSql} GROUP BY k`,
    );
    expectSameResults(back, exp2, { ordered: false, ignoreNames: true });
    // Read back by Stratus: the same lists.
    const again = on.read.parquet(out).select('k', 'l');
    expectSameResults(
      { columns: ['k', 'l'], rows: await listRows(again, true) },
      { columns: ['k', 'l'], rows: exp2.rows.map((r) => [r[0]!, r[2]!]) },
      { ordered: false },
    );
  });
});

describe('size / array_contains over list columns', () => {
  it('match DuckDB over collected lists, in the DSL and SQL; size of a NULL list is -1', async () => {
    const lists = t(on).groupBy('k').agg(collect_list('x').alias('l'), collect_set('s').alias('ss'));
    const got = await lists
      .select(
        'k',
        size('l').alias('n'),
        array_contains('l', 5).alias('c5'),
        array_contains('l', lit(-40n)).alias('cm'),
        array_contains('ss', 'a').alias('ca'),
      )
      .collect();
    const l = 'list(x) FILTER (WHERE x IS NOT NULL)';
    const ss = 'list(s) FILTER (WHERE s IS NOT NULL)';
    const exp = await duck.query(
      `SELECT k, coalesce(len(${l}), 0)::INTEGER, coalesce(list_contains(${l}, 5), false), coalesce(list_contains(${l}, -40), false), coalesce(list_contains(${ss}, 'a'), false) FROM ${tSql} GROUP BY k`,
    );
    expectSameResults(rowsFromArrow(got), exp, { ordered: false, ignoreNames: true });
    on.registerView('lists', lists);
    const sql = await on.sql('SELECT k, size(l) AS n, array_contains(l, 5) AS c5 FROM lists');
    expectSameResults(
      rowsFromArrow(await sql.collect()),
      { columns: exp.columns.slice(0, 3), rows: exp.rows.map((r) => r.slice(0, 3)) },
      {
        ordered: false,
        ignoreNames: true,
      },
    );
    const nulls = await t(on)
      .limit(1)
      .select(size(lit(null)).alias('n'), array_contains(lit(null), 1).alias('c'))
      .collectRows();
    expect(nulls).toEqual([{ n: -1, c: null }]);
    await expect(t(on).select(size('x')).schema()).rejects.toThrow(/size expects a list, got int64/);
  });
});

describe('approx_count_distinct (HyperLogLog)', () => {
  it('stays within its error bound on 100k distinct values for several rsd, ints and strings, partial on and off', async () => {
    const exact = 100_000;
    for (const rsd of [0.05, 0.02, 0.01]) {
      const [a, b] = await Promise.all(
        [on, off].map((s) =>
          big(s)
            .agg(approx_count_distinct('y', rsd).alias('y'), approx_count_distinct('w', rsd).alias('w'))
            .collectRows(),
        ),
      );
      // Registers merge by maximum: the same sketch however the rows were split.
      expect(a).toEqual(b);
      for (const c of ['y', 'w'] as const) {
        const err = Math.abs(Number(a![0]![c]) - exact) / exact;
        expect(err, `rsd ${rsd}, column ${c}: estimate ${a![0]![c]}`).toBeLessThan(3 * rsd);
      }
    }
  });

  it("grouped estimates are close to DuckDB's exact count(DISTINCT), small groups included", async () => {
    const got = await t(on)
      .groupBy('k')
      .agg(
        approx_count_distinct('x').alias('x'),
        approx_count_distinct('s', 0.01).alias('s'),
        approx_count_distinct('d').alias('d'),
      )
      .collectRows();
    const exp = await duck.query(
      `SELECT k, count(DISTINCT x), count(DISTINCT s), count(DISTINCT d) FROM ${tSql} GROUP BY k`,
    );
    const byKey = new Map(exp.rows.map((r) => [r[0], r.slice(1) as number[]]));
    expect(got.length).toBe(exp.rows.length);
    for (const r of got) {
      const e = byKey.get(r.k as number | null)!;
      for (const [i, v] of [r.x, r.s, r.d].entries())
        expect(Math.abs(Number(v) - e[i]!)).toBeLessThanOrEqual(Math.max(1, 0.1 * e[i]!));
    }
    const bigGroups = await big(on).groupBy('g').agg(approx_count_distinct('y', 0.02).alias('n')).collectRows();
    const bigExact = await duck.query(`SELECT g, count(DISTINCT y) FROM ${bigSql} GROUP BY g`);
    const exactOf = new Map(bigExact.rows.map((r) => [r[0], r[1] as number]));
    for (const r of bigGroups) expect(Math.abs(Number(r.n) / exactOf.get(r.g as number)! - 1)).toBeLessThan(0.08);
  });
});

describe('approx_count_distinct over windows', () => {
  it("running and whole-partition frames stay close to DuckDB's exact count(DISTINCT)", async () => {
    const A = Window.partitionBy('k').orderBy('id');
    const df = t(on).select(
      'id',
      approx_count_distinct('x').over(A).alias('run'),
      approx_count_distinct('s', 0.01).over(Window.partitionBy('k')).alias('part'),
    );
    const exp = await duck.query(
      `SELECT id, count(DISTINCT x) OVER (PARTITION BY k ORDER BY id), count(DISTINCT s) OVER (PARTITION BY k) FROM ${tSql}`,
    );
    // rsd 0.05 is 512 registers (standard error 4.6%): within 3·rsd, or 1.
    expectSameResults(rowsFromArrow(await df.collect()), exp, {
      ordered: false,
      ignoreNames: true,
      relTol: 0.15,
      absTol: 1,
    });
  });
});

describe('percentile_approx', () => {
  it("is exact on small inputs: Spark's documented examples, and DuckDB's quantile_disc (rank ceil(p·n)) grouped", async () => {
    const small = (values: number[]) => {
      const sql = values.map((v) => `SELECT ${v}::INTEGER AS c`).join(' UNION ALL ');
      return duck.query(`COPY (${sql}) TO '${path.join(dir, `small-${values.length}.parquet`)}' (FORMAT parquet)`);
    };
    await small([0, 1, 2, 10]);
    await small([0, 6, 7, 9, 10]);
    const a = await on.read
      .parquet(path.join(dir, 'small-4.parquet'))
      .agg(percentile_approx('c', [0.5, 0.4, 0.1], 100).alias('p'))
      .collectRows();
    expect(a).toEqual([{ p: [1, 1, 0] }]);
    const b = await on.read
      .parquet(path.join(dir, 'small-5.parquet'))
      .agg(percentile_approx('c', 0.5, 100).alias('p'))
      .collectRows();
    expect(b).toEqual([{ p: 7 }]);
    for (const [label, s] of BOTH) {
      const got = await t(s())
        .groupBy('k')
        .agg(
          percentile_approx('v', 0).alias('p0'),
          percentile_approx('v', 0.1).alias('p1'),
          percentile_approx('x', 0.5).alias('p5'),
          percentile_approx('x', 0.95).alias('p95'),
          percentile_approx('d', 0.75).cast('float64').alias('pd'),
          percentile_approx('v', 1).alias('p100'),
        )
        .collect();
      const exp = await duck.query(
        `SELECT k, quantile_disc(v, 0), quantile_disc(v, 0.1), quantile_disc(x, 0.5), quantile_disc(x, 0.95), quantile_disc(d, 0.75)::DOUBLE, quantile_disc(v, 1) FROM ${tSql} GROUP BY k`,
      );
      expect(
        () => expectSameResults(rowsFromArrow(got), exp, { ordered: false, ignoreNames: true }),
        label,
      ).not.toThrow();
    }
    const arr = await t(on)
      .groupBy('k')
      .agg(percentile_approx('x', [0.25, 0.5, 0.75]).alias('q'));
    expect((await arr.schema())[1]!.type).toBe('list<int64>');
    const exp = await duck.query(
      `SELECT k, array_to_string([quantile_disc(x, 0.25), quantile_disc(x, 0.5), quantile_disc(x, 0.75)], ',') FROM ${tSql} GROUP BY k HAVING count(x) > 0`,
    );
    const rows = (await listRows(arr, false)).filter((r) => r[1] !== null);
    expectSameResults({ columns: exp.columns, rows }, exp, { ordered: false, ignoreNames: true });
  });

  it('keeps int64 (±2^62, 2^53 + odd), decimal(38,10) and pre-1970 timestamp values exactly; median rounds the exact midpoint once', async () => {
    const ps = [0, 0.1, 0.5, 0.77, 1];
    const disc = (c: string) => ps.map((p) => `quantile_disc(${c}, ${p})`);
    // DuckDB: the exact discrete quantiles, and the two middle values (as text) of each group.
    const mids = (c: string) =>
      `list_sort(list(${c}))[(count(${c}) + 1) // 2]::VARCHAR, list_sort(list(${c}))[count(${c}) // 2 + 1]::VARCHAR`;
    const exp = await duck.query(
      `SELECT g, ${[...disc('x'), ...disc('d')].map((q) => `${q}::VARCHAR`).join(', ')},
        ${disc('ts')
          .map((q) => `strftime(${q}, '%Y-%m-%dT%H:%M:%S.%f')`)
          .join(', ')}, ${mids('x')}, ${mids('d')}
       FROM ${hugeSql} GROUP BY g ORDER BY g`,
    );
    /** The midpoint of two exact decimals (text) rounded once: as decimal text, which parseFloat rounds correctly. */
    const midpoint = (lo: string, hi: string, scale: number) => {
      const unscaled = (t: string) => BigInt(t.replace('.', ''));
      const half = (unscaled(lo) + unscaled(hi)) * 5n; // (lo + hi) / 2 with one more decimal digit
      const neg = half < 0n;
      const digits = (neg ? -half : half).toString().padStart(scale + 2, '0');
      return Number.parseFloat(`${neg ? '-' : ''}${digits.slice(0, -(scale + 1))}.${digits.slice(-(scale + 1))}`);
    };
    const want = exp.rows.map((r) => {
      const t = r.map((c) => (c === null ? null : String(c)));
      return [
        Number(t[0]),
        ...t.slice(1, 11),
        ...t.slice(11, 16).map((v) => v!.replace(/\.000000$/, '')),
        midpoint(t[16]!, t[17]!, 0),
        midpoint(t[18]!, t[19]!, 10),
      ];
    });
    for (const [label, s] of BOTH) {
      const got = await huge(s())
        .groupBy('g')
        .agg(
          percentile_approx('x', ps).alias('px'),
          percentile_approx('d', ps).alias('pd'),
          percentile_approx('ts', ps).alias('pt'),
          median('x').alias('mx'),
          median('d').alias('md'),
        )
        .orderBy('g')
        .collectRows();
      const rows = got.map((r) => [
        r.g,
        ...(r.px as unknown[]).map(String),
        ...(r.pd as unknown[]).map(String),
        ...(r.pt as string[]).map((v) => v.replace(/\.000000$/, '')),
        r.mx,
        r.md,
      ]);
      expect(rows, label).toEqual(want);
    }
    // Values beyond 2^53 that no double holds come back as stored.
    const notDoubles = want
      .flat()
      .filter((v) => typeof v === 'string' && /^-?\d+$/.test(v) && BigInt(v) !== BigInt(Number(v)));
    expect(notDoubles.length).toBeGreaterThan(3);
    expect((await huge(on).agg(percentile_approx('ts', 0.5).alias('p')).schema())[0]!.type).toBe('timestamp[us]');
    // Past `accuracy` values the sketch compacts: its answers are still input values, exactly.
    const inputs = new Set((await duck.query(`SELECT x::VARCHAR FROM ${hugeSql}`)).rows.map((r) => String(r[0])));
    for (const [label, s] of BOTH) {
      const [row] = await huge(s())
        .agg(percentile_approx('x', [0.05, 0.3, 0.5, 0.9, 1], 8).alias('q'))
        .collectRows();
      for (const v of row!.q as unknown[]) expect(inputs.has(String(v)), `${label}: ${v}`).toBe(true);
    }
  });

  it('stays within its rank error bound on 100k values (exact ranks known), partial on and off', async () => {
    const n = 200_000; // y holds 0..99999 twice: the value v has ranks 2v+1 and 2v+2
    const ps = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1];
    for (const accuracy of [1000, 10000]) {
      const bound = (n * (Math.ceil(Math.log2(n / accuracy)) + 1)) / accuracy;
      for (const s of [on, off]) {
        const [row] = await big(s)
          .agg(percentile_approx('y', ps, accuracy).alias('q'))
          .collectRows();
        const q = row!.q as number[];
        ps.forEach((p, i) => {
          const want = Math.max(1, Math.ceil(p * n));
          const lo = 2 * q[i]! + 1;
          const hi = 2 * q[i]! + 2;
          const err = want < lo ? lo - want : want > hi ? want - hi : 0;
          expect(err, `p=${p} accuracy=${accuracy}: value ${q[i]}`).toBeLessThanOrEqual(bound);
        });
      }
    }
  });
});

describe('SQL and expr() name them', () => {
  it('session.sql: the same results as the DSL', async () => {
    on.registerView('t', t(on));
    const sql = await on.sql(
      `SELECT k, stddev(v) AS sd, corr(v, x) AS c, var_pop(x) AS vp, median(v) AS m, percentile_approx(x, 0.5) AS p,
              approx_count_distinct(s, 0.01) AS n
       FROM t GROUP BY k`,
    );
    const dsl = t(on)
      .groupBy('k')
      .agg(
        stddev('v').alias('sd'),
        corr('v', 'x').alias('c'),
        var_pop('x').alias('vp'),
        median('v').alias('m'),
        percentile_approx('x', 0.5).alias('p'),
        approx_count_distinct('s', 0.01).alias('n'),
      );
    expectSameResults(rowsFromArrow(await sql.collect()), rowsFromArrow(await dsl.collect()), { ordered: false });
    const lists = await on.sql(
      'SELECT k, collect_list(x) AS l, percentile_approx(x, array(0.25, 0.75), 100) AS q FROM t GROUP BY k',
    );
    const listsDsl = t(on)
      .groupBy('k')
      .agg(collect_list('x').alias('l'), percentile_approx('x', [0.25, 0.75], 100).alias('q'));
    expect(await listRows(lists, true)).toEqual(expect.arrayContaining(await listRows(listsDsl, true)));
    const picks = await on.sql(
      'SELECT g, first(u, true) AS f, last(u, true) AS l FROM (SELECT id % 50 AS g, u FROM t) AS q GROUP BY g',
    );
    expectSameResults(
      rowsFromArrow(await picks.collect()),
      await duck.query(`SELECT id % 50 AS g, max(u) AS f, max(u) AS l FROM ${tSql} GROUP BY 1`),
      { ordered: false },
    );
    const e = await t(on).agg(expr('stddev_pop(v)').alias('a'), expr('covar_samp(x, d)').alias('b')).collect();
    expectSameResults(rowsFromArrow(e), await duck.query(`SELECT stddev_pop(v), covar_samp(x, d) FROM ${tSql}`), {
      ordered: false,
      ignoreNames: true,
    });
  });
});

describe('the dict form of agg names them too', () => {
  it("agg({ v: 'stddev', x: 'median' }) names columns as Spark does", async () => {
    const got = await t(on).groupBy('k').agg({ v: 'stddev', x: 'median', d: 'var_pop' }).collect();
    expect(got.schema.fields.map((f) => f.name)).toEqual(['k', 'stddev(v)', 'median(x)', 'var_pop(d)']);
    expectSameResults(
      rowsFromArrow(got),
      await duck.query(`SELECT k, stddev(v), median(x), var_pop(d) FROM ${tSql} GROUP BY k`),
      { ordered: false, ignoreNames: true, relTol: 1e-9 },
    );
  });
});

describe('bad calls say what is wrong, naming the aggregate', () => {
  it('types, percentages, rsd and arity', async () => {
    await expect(t(on).agg(stddev('s')).schema()).rejects.toThrow(/stddev needs a number, got string/);
    await expect(t(on).agg(corr('v', 's')).schema()).rejects.toThrow(/corr needs two numbers, got float64, string/);
    await expect(t(on).agg(percentile_approx('v', 1.5)).schema()).rejects.toThrow(
      /percentile_approx: percentage 1.5 must be between 0.0 and 1.0/,
    );
    await expect(
      t(on)
        .agg(percentile_approx('v', 0.5, 0))
        .schema(),
    ).rejects.toThrow(/accuracy must be a positive integer/);
    await expect(t(on).agg(approx_count_distinct('x', 0.5)).schema()).rejects.toThrow(/rsd 0.5 is too large/);
    on.registerView('t2', t(on));
    await expect(on.sql('SELECT corr(v) FROM t2')).rejects.toThrow(/corr\(\) takes 2 arguments, got 1/);
  });
});

/**
 * rollup / cube with grouping() and grouping_id(), and groupBy().pivot() with and without values,
 * compared with DuckDB's GROUP BY ROLLUP / CUBE, GROUPING(), FILTER and PIVOT on whole results —
 * with NULL keys from the data next to rolled-up NULLs, several aggregates, and Spark's names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approx_count_distinct,
  avg,
  col,
  count,
  countDistinct,
  grouping,
  first,
  grouping_id,
  lit,
  max,
  min,
  percentile_approx,
  session,
  sum,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { rowCount, weightedAvg } from './support/udafs.js';
import { generatedTables, type Generated } from './support/generated.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

/** a and b have NULLs of their own; c never does; x has NULLs too. */
const T_SQL = `
  SELECT * FROM (VALUES
    (0,  'p',  1,    'u', 10,   1.5::DOUBLE,  12.50::DECIMAL(10,2), DATE '2020-01-01'),
    (1,  'p',  2,    'v', 20,   2.5::DOUBLE,  1.25::DECIMAL(10,2),  DATE '2020-01-02'),
    (2,  'p',  NULL, 'u', NULL, 3.5::DOUBLE,  12.50::DECIMAL(10,2), DATE '2020-01-01'),
    (3,  'q',  1,    'w', 5,    NULL,         NULL,                 DATE '2020-01-03'),
    (4,  NULL, 1,    'u', 7,    0.5::DOUBLE,  1.25::DECIMAL(10,2),  NULL),
    (5,  NULL, NULL, 'v', 3,    9.0::DOUBLE,  3.00::DECIMAL(10,2),  DATE '2020-01-02'),
    (6,  'q',  2,    'u', 11,   4.0::DOUBLE,  12.50::DECIMAL(10,2), DATE '2020-01-01'),
    (7,  'r',  NULL, 'w', 2,    1.0::DOUBLE,  3.00::DECIMAL(10,2),  DATE '2020-01-03'),
    (8,  'p',  1,    'v', 4,    2.0::DOUBLE,  1.25::DECIMAL(10,2),  DATE '2020-01-02'),
    (9,  NULL, 2,    'w', NULL, NULL,         3.00::DECIMAL(10,2),  DATE '2020-01-03'),
    (10, 'q',  NULL, 'u', 6,    6.0::DOUBLE,  12.50::DECIMAL(10,2), DATE '2020-01-01')
  ) AS t(id, a, b, c, x, y, d, dt)`;

let s: Session;
let duck: Generated['duck'];
let t: DataFrame;
let many: DataFrame;

beforeAll(async () => {
  // DuckDB's views t and many are the tables' files.
  const fx = await generatedTables(tempDir('stratus-grouping-'), {
    t: { sql: T_SQL, rowGroup: 3 },
    many: { sql: 'SELECT range % 3 AS g, range AS v FROM range(10001)' },
  });
  duck = fx.duck;
  s = session({ store: tempDir(), executors: 1, progress: false, job: { shufflePartitions: 3 } });
  t = s.read.parquet(fx.path('t'));
  many = s.read.parquet(fx.path('many'));
});
afterAll(async () => {
  await s?.stop();
  duck?.close();
  await closeDuckdbOracles();
});

async function expectSame(df: DataFrame, sql: string): Promise<void> {
  expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false });
}

describe('rollup and cube', () => {
  it('rollup(a, b) with several aggregates, grouping() and grouping_id()', async () => {
    await expectSame(
      t.rollup('a', 'b').agg(sum('x'), count(), avg('y'), grouping('a'), grouping('b'), grouping_id()),
      `SELECT a, b, sum(x) AS "sum(x)", count(*) AS "count(*)", avg(y) AS "avg(y)",
              grouping(a) AS "grouping(a)", grouping(b) AS "grouping(b)", grouping(a, b) AS "grouping_id()"
       FROM t GROUP BY ROLLUP (a, b)`,
    );
  });

  it('cube(a, c) with min/max over decimals and dates, and the grouping id in an expression', async () => {
    await expectSame(
      t
        .cube('a', 'c')
        .agg(
          min('d').alias('lo'),
          max('dt').alias('last'),
          sum('x').plus(grouping_id()).alias('sx'),
          grouping_id().alias('gid'),
        ),
      `SELECT a, c, min(d) AS lo, max(dt) AS last, sum(x) + grouping(a, c) AS sx, grouping(a, c) AS gid
       FROM t GROUP BY CUBE (a, c)`,
    );
  });

  it('cube over three keys, one an expression, with grouping_id over a subset', async () => {
    await expectSame(
      t.cube('a', col('b').plus(1).alias('b1'), 'c').agg(count('x'), grouping_id('c', 'a').alias('g')),
      `SELECT a, b + 1 AS b1, c, count(x) AS "count(x)", grouping(c, a) AS g
       FROM t GROUP BY CUBE (a, b + 1, c)`,
    );
  });

  it("grouping() is Spark's tinyint (int8) and grouping_id() its bigint (int64), in the DSL and in SQL", async () => {
    // Spark: grouping() returns ByteType, grouping_id() LongType (DuckDB gives BIGINT for both:
    // the values are compared with DuckDB, the types with Spark's).
    const df = t.cube('a', 'b').agg(grouping('a').alias('ga'), grouping_id().alias('g'), grouping_id('b').alias('gb'));
    expect((await df.schema()).map((f) => [f.name, f.type])).toEqual([
      ['a', 'string'],
      ['b', 'int32'],
      ['ga', 'int8'],
      ['g', 'int64'],
      ['gb', 'int64'],
    ]);
    await expectSame(
      df,
      'SELECT a, b, grouping(a) AS ga, grouping(a, b) AS g, grouping(b) AS gb FROM t GROUP BY CUBE (a, b)',
    );
    t.createOrReplaceTempView('tg');
    const q = await s.sql('select a, grouping(a) + grouping(a) as two, grouping_id(a) as g from tg group by rollup(a)');
    // int8 + int8 stays int8 (Spark's byte arithmetic).
    expect((await q.schema()).map((f) => f.type)).toEqual(['string', 'int8', 'int64']);
    await expectSame(q, 'SELECT a, grouping(a) + grouping(a) AS two, grouping(a) AS g FROM t GROUP BY ROLLUP (a)');
  });

  it('a NULL key from the data and the rolled-up NULL are different rows', async () => {
    const rows = await t.rollup('a').agg(count().alias('n'), grouping('a').alias('g')).orderBy('g', 'a').collectRows();
    expect(rows).toEqual([
      { a: null, n: 3, g: 0 },
      { a: 'p', n: 4, g: 0 },
      { a: 'q', n: 3, g: 0 },
      { a: 'r', n: 1, g: 0 },
      { a: null, n: 11, g: 1 },
    ]);
  });

  it('count() and the shortcuts work on rollup and cube; rollup() alone is the grand total', async () => {
    await expectSame(t.rollup('a', 'b').count(), 'SELECT a, b, count(*) AS count FROM t GROUP BY ROLLUP (a, b)');
    await expectSame(
      t.cube('c').sum('x', 'y'),
      'SELECT c, sum(x) AS "sum(x)", sum(y) AS "sum(y)" FROM t GROUP BY CUBE (c)',
    );
    await expectSame(t.rollup().agg(sum('x')), 'SELECT sum(x) AS "sum(x)" FROM t');
  });

  it('reads the input once: an Expand under one aggregate (TPC-H lineitem, many tasks, vs DuckDB)', async () => {
    const lineitem = s.read.parquet(`${SF01}/lineitem`);
    const df = lineitem
      .cube('l_returnflag', 'l_linestatus', 'l_shipmode')
      .agg(
        sum('l_quantity').alias('qty'),
        avg('l_extendedprice').alias('price'),
        count().alias('n'),
        grouping_id().alias('g'),
      );
    const plan = await df.explain();
    expect(plan.match(/ParquetScan/g)).toHaveLength(1);
    expect(plan).toMatch(/Expand: /);
    expectSameResults(
      rowsFromArrow(await df.collect()),
      await duckdbQuery(
        `SELECT l_returnflag, l_linestatus, l_shipmode, sum(l_quantity) AS qty, avg(l_extendedprice) AS price,
                count(*) AS n, grouping(l_returnflag, l_linestatus, l_shipmode) AS g
         FROM lineitem GROUP BY CUBE (l_returnflag, l_linestatus, l_shipmode)`,
        SF01,
      ),
      { ordered: false, relTol: 1e-9 },
    );
  });

  it('groupingSets() lists the sets (SQL GROUPING SETS), an empty set for the total', async () => {
    await expectSame(
      t.groupingSets([['a', 'c'], ['b'], []], 'a', 'b', 'c').agg(sum('x').alias('sx'), grouping_id().alias('g')),
      `SELECT a, b, c, sum(x) AS sx, grouping(a, b, c) AS g FROM t GROUP BY GROUPING SETS ((a, c), (b), ())`,
    );
    expect(() => t.groupingSets([['a', 'z']], 'a', 'b')).toThrow(
      /z is not a grouping column; grouping columns are a, b/,
    );
  });

  it('grouping() outside grouping sets, or of a column that is not a key, fails naming it', async () => {
    expect(() => t.groupBy('a').agg(grouping('a'))).toThrow(/need rollup\(\.\.\.\), cube\(\.\.\.\) or GROUPING SETS/);
    expect(() => t.rollup('a').agg(grouping('b'))).toThrow(/b is not a grouping column; grouping columns are a/);
    expect(() => t.cube(...'abcdefghi'.split(''))).toThrow(/512 grouping sets; at most 256/);
  });
});

describe('GROUP BY ROLLUP / CUBE in SQL', () => {
  it('ROLLUP with GROUPING() and grouping_id(), HAVING and ORDER BY', async () => {
    t.createOrReplaceTempView('t');
    await expectSame(
      await s.sql(
        `select a, b, sum(x) as sx, count(*) as n, grouping(a) as ga, grouping_id(a, b) as g
         from t group by rollup(a, b) having count(*) > 1 order by g, a, b`,
      ),
      `SELECT a, b, sum(x) AS sx, count(*) AS n, grouping(a) AS ga, grouping(a, b) AS g
       FROM t GROUP BY ROLLUP (a, b) HAVING count(*) > 1`,
    );
  });

  it('a plain key with CUBE: the cross product of their sets, expression keys included', async () => {
    t.createOrReplaceTempView('t');
    await expectSame(
      await s.sql('select c, b + 1 as b1, a, max(y) as m, grouping_id() as g from t group by c, cube(b + 1, a)'),
      'SELECT c, b + 1 AS b1, a, max(y) AS m, grouping(c, b + 1, a) AS g FROM t GROUP BY c, CUBE (b + 1, a)',
    );
  });
});

describe('GROUP BY GROUPING SETS in SQL', () => {
  it('parenthesized and bare sets, the empty set, with a plain key and strings that mention it', async () => {
    t.createOrReplaceTempView('t');
    await expectSame(
      await s.sql(
        `select c, a, b, sum(x) as sx, 'grouping sets (' as note, grouping_id(a, b) as g -- grouping sets (z)
         from t group by c, grouping sets ((a, b), a, ())`,
      ),
      `SELECT c, a, b, sum(x) AS sx, 'grouping sets (' AS note, grouping(a, b) AS g
       FROM t GROUP BY c, GROUPING SETS ((a, b), a, ())`,
    );
  });
});

describe('pivot', () => {
  it('with values, NULL among them, one aggregate: columns named by value', async () => {
    await expectSame(
      t.groupBy('a').pivot('b', [1, 2, null]).agg(sum('x')),
      `SELECT a, sum(x) FILTER (WHERE b = 1) AS "1", sum(x) FILTER (WHERE b = 2) AS "2",
              sum(x) FILTER (WHERE b IS NULL) AS "null"
       FROM t GROUP BY a`,
    );
  });

  it('with values and several aggregates: value_aggregate names; a group without the value is NULL, counts too', async () => {
    // Spark's two phases: aggregate per (group, value), then each value's row or NULL.
    await expectSame(
      t.groupBy('c').pivot('a', ['p', 'q']).agg(count(), avg('y').alias('m'), countDistinct('b').alias('nb')),
      `WITH g AS (SELECT c, a, count(*) AS n, avg(y) AS m, count(DISTINCT b) AS nb FROM t GROUP BY c, a)
       SELECT k.c, p.n AS "p_count(*)", p.m AS p_m, p.nb AS p_nb, q.n AS "q_count(*)", q.m AS q_m, q.nb AS q_nb
       FROM (SELECT DISTINCT c FROM t) k
       LEFT JOIN g p ON p.c = k.c AND p.a = 'p' LEFT JOIN g q ON q.c = k.c AND q.a = 'q'`,
    );
    const rows = await t.groupBy('c').pivot('a', ['p']).count().orderBy('c').collectRows();
    expect(rows).toEqual([
      { c: 'u', p: 2 },
      { c: 'v', p: 2 },
      { c: 'w', p: null },
    ]);
  });

  it('without values: a job finds them sorted, as DuckDB PIVOT does', async () => {
    const g = await t.groupBy('a').pivot('c');
    await expectSame(g.agg(sum('x')), 'PIVOT t ON c USING sum(x) GROUP BY a');
    await expectSame(
      g.agg(sum('x').alias('s'), max('y').alias('m')),
      'PIVOT t ON c USING sum(x) AS s, max(y) AS m GROUP BY a',
    );
    expect(await g.agg(sum('x')).columns).toEqual(['a', 'u', 'v', 'w']);
  });

  it('without values, over NULLs, decimals and dates, with no grouping keys', async () => {
    const byB = await t.groupBy().pivot('b');
    expect(await byB.agg(count()).columns).toEqual(['null', '1', '2']);
    await expectSame(
      byB.agg(count()),
      `SELECT count(*) FILTER (WHERE b IS NULL) AS "null", count(*) FILTER (WHERE b = 1) AS "1",
              count(*) FILTER (WHERE b = 2) AS "2" FROM t`,
    );
    await expectSame(
      (await t.groupBy('c').pivot('d')).agg(sum('x')),
      `SELECT c, sum(x) FILTER (WHERE d IS NULL) AS "null", sum(x) FILTER (WHERE d = 1.25) AS "1.25", sum(x) FILTER (WHERE d = 3.00) AS "3.00",
              sum(x) FILTER (WHERE d = 12.50) AS "12.50" FROM t GROUP BY c`,
    );
    // DuckDB's PIVOT leaves NULL out; Spark (and Stratus) give it a column named null.
    await expectSame(
      (await t.groupBy('a').pivot('dt')).agg(min('id')),
      `SELECT a, min(id) FILTER (WHERE dt IS NULL) AS "null", ${[1, 2, 3]
        .map((d) => `min(id) FILTER (WHERE dt = DATE '2020-01-0${d}') AS "2020-01-0${d}"`)
        .join(', ')} FROM t GROUP BY a`,
    );
  });

  it('aggregates with constant parameters keep them constant; each reads only its value rows', async () => {
    const df = t
      .groupBy('c')
      .pivot('a', ['p', 'q', null])
      .agg(
        percentile_approx('x', 0.5).alias('med'),
        percentile_approx('x', [0.25, 0.75]).alias('qs'),
        approx_count_distinct('b', 0.01).alias('nd'),
        first('x', true).alias('fx'),
      );
    const text = await df.explain();
    // The constants stay literal options of the calls; only the column argument is conditional.
    expect(text).toContain("percentile_approx(CASE WHEN (a = 'p') THEN x END, 0.5, 10000)");
    expect(text).toContain("percentile_approx(CASE WHEN (a = 'q') THEN x END, array(0.25, 0.75), 10000)");
    expect(text).toContain('approx_count_distinct(CASE WHEN a IS NULL THEN b END, 0.01)');
    expect(text).toContain("first(CASE WHEN (a = 'p') THEN x END) IGNORE NULLS");
    const per = (v: string) => {
      const f = v === 'null' ? 'a IS NULL' : `a = '${v}'`;
      return `quantile_disc(x, 0.5) FILTER (WHERE ${f}) AS ${v}_med,
              CASE WHEN count(*) FILTER (WHERE ${f}) > 0 THEN count(DISTINCT b) FILTER (WHERE ${f}) END AS ${v}_nd`;
    };
    const scalars = df.select(...(await df.columns).filter((c) => !c.endsWith('_fx') && !c.endsWith('_qs')));
    await expectSame(scalars, `SELECT c, ${['p', 'q', 'null'].map(per).join(', ')} FROM t GROUP BY c`);
    // The array of percentiles, as text (the comparison helpers take scalars).
    const qs = (await df.select('c', 'p_qs', 'q_qs', 'null_qs').orderBy('c').collectRows()).map((r) => [
      r.c,
      ...['p', 'q', 'null'].map((v) => (r[`${v}_qs`] === null ? null : (r[`${v}_qs`] as number[]).join(','))),
    ]);
    const listText = (f: string) => `array_to_string(quantile_disc(x, [0.25, 0.75]) FILTER (WHERE ${f}), ',')`;
    const expectedQs = await duck.query(
      `SELECT c, ${listText("a = 'p'")}, ${listText("a = 'q'")}, ${listText('a IS NULL')} FROM t GROUP BY c ORDER BY c`,
    );
    expect(qs).toEqual(expectedQs.rows);
    // first(x, true): some non-null x of the group's rows with that value (NULL if none).
    const firsts = await df.select('c', 'p_fx', 'q_fx', 'null_fx').orderBy('c').collectRows();
    const options = await duck.query(
      `SELECT c, a, array_to_string(list(x) FILTER (WHERE x IS NOT NULL), ',') AS xs FROM t GROUP BY c, a`,
    );
    for (const row of firsts)
      for (const v of ['p', 'q', 'null']) {
        const text = options.rows.find((r) => r[0] === row.c && r[1] === (v === 'null' ? null : v))?.[2];
        const xs = typeof text === 'string' && text ? text.split(',').map(Number) : [];
        const got = row[`${v}_fx`];
        if (!xs.length) expect(got, `${row.c} ${v}`).toBeNull();
        else expect(xs, `${row.c} ${v}`).toContain(got);
      }
  });

  it("first/last keeping nulls and UDAFs (which see every row) go through Spark's two phases", async () => {
    // first(a) over the rows of value a = 'p' is 'p' whatever the order; a conditional argument
    // would give NULL where the group's first row has another value.
    const df = t
      .groupBy('c')
      .pivot('a', ['p', 'q', null])
      .agg(
        first('a').alias('fa'),
        rowCount(col('x')).alias('n'),
        weightedAvg(col('x'), lit(2)).alias('wa'),
        sum('x').alias('sx'),
      );
    const per = (v: string) => {
      const f = v === 'null' ? 'a IS NULL' : `a = '${v}'`;
      const present = `count(*) FILTER (WHERE ${f}) > 0`;
      return `CASE WHEN ${present} THEN ${v === 'null' ? 'NULL' : `'${v}'`} END AS ${v}_fa,
              CASE WHEN ${present} THEN count(*) FILTER (WHERE ${f}) END AS ${v}_n,
              avg(x) FILTER (WHERE ${f}) AS ${v}_wa, sum(x) FILTER (WHERE ${f}) AS ${v}_sx`;
    };
    await expectSame(df, `SELECT c, ${['p', 'q', 'null'].map(per).join(', ')} FROM t GROUP BY c`);
    // The UDAF's constant argument is not made conditional.
    expect(await df.explain()).toMatch(/weighted_avg\(x, 2\)/);
  });

  it("refuses more than Spark's 10,000 values, and non-aggregates", async () => {
    await expect(many.groupBy('g').pivot('v')).rejects.toThrow(/more than 10000 distinct values/);
    expect(() => t.groupBy('a').pivot('b', [1]).agg(col('a'))).toThrow(/must be aggregate functions/);
    expect(() => t.rollup('a').pivot('b', [1])).toThrow(/pivot\(\) follows groupBy\(\)/);
  });
});

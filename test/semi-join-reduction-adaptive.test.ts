/**
 * Physical rule adaptive_semi_join_reduction: a shuffled semi or anti join's right scan waits for
 * the left side and, once that proved small, keeps only the rows whose keys the left side has
 * (TPC-H Q21's EXISTS / NOT EXISTS over lineitem). Exact with residuals, NULL keys on either
 * side, two keys, keys renamed by a projection; the planned shuffle join runs when the left side
 * turns out bigger, and none of this when the rule is off. Whole results against DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERED, QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import * as path from 'node:path';
import { col, type DataFrame, type Session, session, sum } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { generatedTables, type Generated } from './support/generated.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

/** 60 left rows: keys (a, b) with NULLs in either, a value `v` the residual compares. */
const L_SQL = `
  SELECT i AS id, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 40 END AS a,
         CASE WHEN i % 17 = 0 THEN NULL ELSE i % 3 END AS b, i % 5 AS v
  FROM range(60) t(i)`;

/**
 * 20 000 right rows, most with keys no left row has (a in 0..399); some match a left row's keys
 * only with the same `v` (the residual fails), some have NULL keys.
 */
const R_SQL = `
  SELECT CASE WHEN j % 101 = 0 THEN NULL ELSE (j * 7) % 400 END AS ra,
         CASE WHEN j % 103 = 0 THEN NULL ELSE j % 3 END AS rb, (j * 11) % 5 AS rv, j AS pad
  FROM range(20000) t(j)`;

let fx: Generated;
let on: Session;
let big: Session;
let off: Session;

beforeAll(async () => {
  fx = await generatedTables(tempDir('stratus-semired-'), {
    l: { sql: L_SQL, rowGroup: 20 },
    r: { sql: R_SQL, parts: ['pad < 10000', 'pad >= 10000'], rowGroup: 2500 },
  });
  // The right side (~100 KB of columns) is over the threshold; the left side (~1 KB) under the bound.
  const job = { broadcastThreshold: 4000, shufflePartitions: 3 };
  on = session({ store: tempDir(), executors: 2, progress: false, job });
  // A left side that proves bigger than the bound (1 byte): the planned shuffle join runs.
  big = session({ store: tempDir(), executors: 2, progress: false, job: { ...job, broadcastThreshold: 1 } });
  off = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    job: { ...job, disabledRules: ['adaptive_semi_join_reduction'] },
  });
});
afterAll(async () => {
  await Promise.all([on?.stop(), big?.stop(), off?.stop()]);
  fx?.duck.close();
});

const left = (x: Session) => x.read.parquet(fx.path('l'));
/** The right side with its keys renamed and listed in the other order (keys found through the projection). */
const right = (x: Session) =>
  x.read.parquet(fx.path('r')).select(col('rb').alias('kb'), col('ra').alias('ka'), col('rv').alias('kv'));
const cond = col('ka')
  .equalTo(col('a'))
  .and(col('kb').equalTo(col('b')))
  .and(col('kv').notEqual(col('v')));
const SEMI = (x: Session): DataFrame => left(x).join(right(x), cond, 'left_semi');
const ANTI = (x: Session): DataFrame => left(x).join(right(x), cond, 'left_anti');
const sql = (not: string) => `SELECT * FROM ${fx.sql('l')} l WHERE ${not} EXISTS (SELECT 1 FROM ${fx.sql('r')} r
  WHERE r.ra = l.a AND r.rb = l.b AND r.rv <> l.v)`;

describe('adaptive_semi_join_reduction', () => {
  for (const [name, q, oracle] of [
    ['semi', SEMI, ''],
    ['anti', ANTI, 'NOT'],
  ] as const)
    it(`${name} join with a residual and NULL keys: the right scan reduced by the left rows, same answer as DuckDB`, async () => {
      const text = (await q(on).explain()).split('== Staged Plan ==')[1]!;
      expect(text).toMatch(/Adaptive: if stage \d+ writes at most \d+ bytes, instead reduced by its rows:/);
      expect(text).toMatch(
        /HashJoin: type=left_semi build=broadcast\(stage \d+, 3 partitions\) probeKeys=\[ra, rb\] buildKeys=\[a, b\] scanFilter/,
      );
      const expected = await fx.duck.query(sql(oracle));
      // Both kinds of left rows are there: those a right row matches and those none does.
      expect(expected.rows.length).toBeGreaterThan(5);
      expect(expected.rows.length).toBeLessThan(55);
      expectSameResults(rowsFromArrow(await q(on).collect()), expected, { ordered: false });
      const stages = on.lastJobSummary!.stages;
      expect(stages.filter((st) => st.adaptive).length).toBe(1);
      expect(stages.some((st) => st.skipped)).toBe(false);

      expectSameResults(rowsFromArrow(await q(big).collect()), expected, { ordered: false });
      expect(big.lastJobSummary!.stages.some((st) => st.adaptive)).toBe(false);
      expect(await q(off).explain()).not.toMatch(/reduced by its rows/);
      expectSameResults(rowsFromArrow(await q(off).collect()), expected, { ordered: false });
    });

  it('SQL NOT IN (subquery) with NULLs on either side: the anti join reduced, NULL semantics kept', async () => {
    left(on).createOrReplaceTempView('l');
    on.read.parquet(fx.path('r')).createOrReplaceTempView('r');
    for (const text of [
      'select id from l where a not in (select ra from r where ra is not null and ra % 2 <> 1)',
      'select id from l where a not in (select ra from r where ra % 2 <> 1 or ra is null)',
      'select id from l where a in (select ra from r where ra % 2 <> 1)',
    ]) {
      const df = await on.sql(text);
      expect((await df.explain()).split('== Staged Plan ==')[1]).toMatch(/instead reduced by its rows/);
      expectSameResults(rowsFromArrow(await df.collect()), await fx.duck.query(text), { ordered: false });
    }
    // The first keeps rows (no NULL in the subquery), the second none (a NULL in it).
    expect(
      (await fx.duck.query('select id from l where a not in (select ra from r where ra is not null and ra % 2 <> 1)'))
        .rows.length,
    ).toBeGreaterThan(0);
  });

  it("a left side behind an adaptive broadcast join (its scan stage may be skipped): reduced by that join's own output", async () => {
    // Big orders (a HAVING filter) semi-joined with orders: adaptive_broadcast skips the orders
    // shuffle, so the anti join's right side must be reduced by the semi join's output, not its input.
    const x = session({
      store: tempDir(),
      executors: 2,
      progress: false,
      job: { shufflePartitions: 3, broadcastThreshold: 20_000 },
    });
    try {
      const li = () => x.read.parquet(path.join(SF01, 'lineitem'));
      const big = li()
        .groupBy('l_orderkey')
        .agg(sum('l_quantity').alias('sum_qty'))
        .filter(col('sum_qty').gt(250))
        .select(col('l_orderkey').alias('big_orderkey'));
      const df = x.read
        .parquet(path.join(SF01, 'orders'))
        .join(big, col('o_orderkey').equalTo(col('big_orderkey')), 'left_semi')
        .join(
          li().select(col('l_orderkey').alias('k'), col('l_quantity').alias('q')),
          col('k').equalTo(col('o_orderkey')).and(col('q').lt(10)),
          'left_anti',
        )
        .select('o_orderkey', 'o_totalprice');
      const text = (await df.explain()).split('== Staged Plan ==')[1]!;
      expect(text).toMatch(/instead \(stage \d+ not run\)/);
      expect(text).toMatch(/instead reduced by its rows/);
      const expected = await duckdbQuery(
        `select o_orderkey, o_totalprice from orders where o_orderkey in
           (select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 250)
         and not exists (select 1 from lineitem where l_orderkey = o_orderkey and l_quantity < 10)`,
        SF01,
      );
      // 596 of the 684 big orders: the anti join drops some (all would stay with no line items read).
      expect(expected.rows.length).toBeGreaterThan(500);
      expect(expected.rows.length).toBeLessThan(650);
      expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
      const stages = x.lastJobSummary!.stages;
      expect(stages.filter((st) => st.skipped).length).toBeGreaterThan(0);
      expect(stages.filter((st) => st.adaptive).length).toBe(2);
    } finally {
      await x.stop();
    }
  });

  it('TPC-H Q21 (EXISTS and NOT EXISTS with residuals, both reduced by the late Saudi line items, in one round): same answer as DuckDB', async () => {
    const x = session({ store: tempDir(), executors: 2, progress: false, job: { broadcastThreshold: 300_000 } });
    try {
      const text = (await QUERIES[21]!(tpchTables(x, SF01)).explain()).split('== Staged Plan ==')[1]!;
      expect(text.match(/reduced by its rows/g)?.length).toBe(2);
      const expected = await duckdbQuery(tpchSql(21), SF01);
      expect(expected.rows.length).toBeGreaterThan(10);
      expectSameResults(rowsFromArrow(await QUERIES[21]!(tpchTables(x, SF01)).collect()), expected, {
        ordered: ORDERED[21]!,
      });
      // Both lineitem scans ran reduced.
      const reduced = text
        .split(/\n(?=Stage \d+:)/)
        .filter((b) => b.includes('reduced by its rows'))
        .map((b) => Number(/Stage (\d+):/.exec(b)![1]));
      const stages = x.lastJobSummary!.stages;
      expect(reduced.map((id) => stages[id]!.adaptive && stages[id]!.tasks > 0)).toEqual([true, true]);
      // Both by the same stage: the second copy does not wait for the first join.
      const by = [...text.matchAll(/if stage (\d+) writes at most \d+ bytes, instead reduced by its rows/g)].map(
        (m) => m[1],
      );
      expect(by.length).toBe(2);
      expect(by[0]).toBe(by[1]);
    } finally {
      await x.stop();
    }
  });
});

/**
 * A shuffled inner join builds its hash table on whichever partition turns out smaller at run
 * time: here the small side is the probe side, so the roles swap — same answer as DuckDB,
 * including a residual condition and the column order.
 * Adaptive broadcast: a side whose size the planner cannot know is broadcast once its stage
 * proved small (Q18's shape), else the planned shuffle join runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { col, session, sum, type Session } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const s = session({
  store: tempDir(),
  executors: 2,
  progress: false,
  job: { broadcastThreshold: 0, shufflePartitions: 3 },
});
afterAll(() => s.stop());

describe('shuffled inner join', () => {
  it('builds on the smaller side at run time', async () => {
    const nation = s.read.parquet(path.join(SF01, 'nation')).filter(col('n_regionkey').lt(3));
    const supplier = s.read.parquet(path.join(SF01, 'supplier'));
    const df = nation
      .join(
        supplier,
        col('n_nationkey')
          .equalTo(col('s_nationkey'))
          .and(col('s_acctbal').gt(col('n_regionkey').multiply(2000))),
      )
      .select('n_name', 's_suppkey', 's_acctbal', 'n_regionkey');
    expect(await df.explain()).toContain('build=partitioned');
    const expected = await duckdbQuery(
      'select n_name, s_suppkey, s_acctbal, n_regionkey from nation join supplier on n_nationkey = s_nationkey and s_acctbal > n_regionkey * 2000 where n_regionkey < 3',
      SF01,
    );
    expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
    expect(expected.rows.length).toBeGreaterThan(100);
  });
});

describe('adaptive broadcast (physical rule adaptive_broadcast)', () => {
  // Q18's shape: orders semi-joined with the orders whose lines sum above a quantity (a HAVING
  // filter: the planner cannot know how few), then joined with lineitem.
  const q18 = (x: Session) => {
    const li = () => x.read.parquet(path.join(SF01, 'lineitem'));
    const big = li()
      .groupBy('l_orderkey')
      .agg(sum('l_quantity').alias('sum_qty'))
      .filter(col('sum_qty').gt(300))
      .select(col('l_orderkey').alias('big_orderkey'));
    return x.read
      .parquet(path.join(SF01, 'orders'))
      .join(big, col('o_orderkey').equalTo(col('big_orderkey')), 'left_semi')
      .join(li(), col('o_orderkey').equalTo(col('l_orderkey')))
      .select('o_orderkey', 'o_totalprice', 'l_linenumber', 'l_quantity');
  };
  const sql = `select o_orderkey, o_totalprice, l_linenumber, l_quantity from orders join lineitem on o_orderkey = l_orderkey
    where o_orderkey in (select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300)`;

  it('broadcasts a side once its stage ran and proved small; the other side is never shuffled', async () => {
    const a = session({
      store: tempDir(),
      executors: 2,
      progress: false,
      job: { shufflePartitions: 3, broadcastThreshold: 20_000 },
    });
    try {
      const text = await q18(a).explain();
      expect(text).toMatch(/Adaptive: if stage \d+ writes at most 20000 bytes, instead \(stage \d+ not run\):/);
      expect(text).toMatch(/HashJoin: type=left_semi build=broadcast\(stage \d+, 3 partitions\)/);
      expect(text).toMatch(
        /HashJoin: type=inner build=broadcast\(stage \d+, 3 partitions\) probeKeys=\[l_orderkey\] buildKeys=\[o_orderkey\]/,
      );
      const expected = await duckdbQuery(sql, SF01);
      expectSameResults(rowsFromArrow(await q18(a).collect()), expected, { ordered: false });
      expect(expected.rows.length).toBeGreaterThan(10);
      const stages = a.lastJobSummary!.stages;
      expect(stages.filter((st) => st.skipped).length).toBe(2); // the orders and the lineitem shuffles
      expect(stages.filter((st) => st.adaptive).length).toBe(2);
    } finally {
      await a.stop();
    }
  });

  it('runs the planned shuffle join when the side turns out larger than the threshold, and not at all when disabled', async () => {
    const big = session({ store: tempDir(), executors: 2, progress: false, job: { broadcastThreshold: 1 } });
    const off = session({
      store: tempDir(),
      executors: 2,
      progress: false,
      job: { disabledRules: ['adaptive_broadcast'] },
    });
    try {
      const expected = await duckdbQuery(sql, SF01);
      expectSameResults(rowsFromArrow(await q18(big).collect()), expected, { ordered: false });
      expect(big.lastJobSummary!.stages.some((st) => st.skipped || st.adaptive)).toBe(false);
      expect(await q18(off).explain()).not.toMatch(/Adaptive:/);
      expectSameResults(rowsFromArrow(await q18(off).collect()), expected, { ordered: false });
    } finally {
      await big.stop();
      await off.stop();
    }
  });
});

/**
 * Scan filters fused into the aggregate that follows: rows the filter rejects are skipped by
 * group id instead of being gathered away. Same answers as DuckDB for filters that keep most
 * rows and filters that keep few, with nulls in keys, and on hive-partitioned data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { avg, col, count, max, min, session, sum } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const s = session({ store: tempDir(), executors: 2, progress: false });
afterAll(() => s.stop());
const orders = () => s.read.parquet(path.join(SF01, 'orders'));

describe('filters fused into aggregation', () => {
  for (const [name, threshold] of [
    ['keeps most rows', 1000],
    ['keeps few rows', 400000],
  ] as const) {
    it(`${name}: same groups and values as DuckDB`, async () => {
      const df = orders()
        .filter(col('o_totalprice').gt(threshold))
        .groupBy('o_orderstatus', 'o_orderpriority')
        .agg(
          count('*').alias('n'),
          sum('o_totalprice').alias('s'),
          min('o_orderdate').alias('d0'),
          max('o_clerk').alias('c1'),
          avg('o_shippriority').alias('a'),
        );
      expect(await df.explain()).toContain('HashAggregate: mode=partial filter=[(o_totalprice > ');
      const expected = await duckdbQuery(
        `select o_orderstatus, o_orderpriority, count(*) as n, sum(o_totalprice) as s, min(o_orderdate) as d0, max(o_clerk) as c1, avg(o_shippriority) as a from orders where o_totalprice > ${threshold} group by 1, 2`,
        SF01,
      );
      expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
    });
  }

  it('on hive-partitioned data, filtering on the partition column and a file column', async () => {
    const dir = path.join(tempDir('stratus-hive-'), 'orders');
    await orders()
      .select('o_orderkey', 'o_totalprice', 'o_orderstatus')
      .write.partitionBy('o_orderstatus')
      .parquet(dir);
    const df = s.read
      .parquet(dir)
      .filter(col('o_orderstatus').notEqual('P').and(col('o_totalprice').gt(2000)))
      .groupBy('o_orderstatus')
      .agg(count('*').alias('n'), sum('o_totalprice').alias('s'));
    const expected = await duckdbQuery(
      "select o_orderstatus, count(*) as n, sum(o_totalprice) as s from orders where o_orderstatus <> 'P' and o_totalprice > 2000 group by 1",
      SF01,
    );
    expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
    expect(await s.read.parquet(dir).filter(col('o_totalprice').gt(2000)).count()).toBe(
      Number((await duckdbQuery('select count(*) from orders where o_totalprice > 2000', SF01)).rows[0]![0]),
    );
  });
});

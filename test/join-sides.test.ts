/**
 * A shuffled inner join builds its hash table on whichever partition turns out smaller at run
 * time: here the small side is the probe side, so the roles swap — same answer as DuckDB,
 * including a residual condition and the column order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { col, session } from '../src/index.js';
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

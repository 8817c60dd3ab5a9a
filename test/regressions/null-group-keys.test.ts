/**
 * Regression (differential test, seed 2, path 110:1:0:1:1:1:2:3:4:4:4:6:6:6:6:6:9:7:7:8:8:8:8:8:8:8:8:10:11:13:13:13:13:13,
 * found before the fix of issue 10): NULL group keys form one group when rows are grouped in one
 * phase (countDistinct). Stratus returned the NULL group three times (1 + 2 + 0 rows…) instead of
 * once with count 3:
 *   missing (DuckDB has it, Stratus not): [null, 0n, 3n]
 *   extra (Stratus has it, DuckDB not): [null, 0n, 1n]
 *   extra (Stratus has it, DuckDB not): [null, 0n, 2n]
 */
import { it } from 'vitest';
import { count, countDistinct } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

it('NULL group keys are one group under countDistinct (3 nulls in 2 row groups)', async () => {
  const t = await ctx.tables({
    a: {
      columns: [['a0', 'int32']],
      rows: [[null], [null], [null], [1]],
      writer: 'wasm',
      rowGroupSize: 2,
      files: 1,
    },
    b: { columns: [['b0', 'int32']], rows: [], writer: 'wasm', rowGroupSize: 1, files: 1 },
  });
  await ctx.expectSame(
    t.a.groupBy('a0').agg(countDistinct('a0').alias('x1'), count().alias('x2')),
    'SELECT a0, count(DISTINCT a0) AS x1, count(*) AS x2 FROM (SELECT * FROM a) q1 GROUP BY a0',
    { kind: 'multiset' },
  );
});

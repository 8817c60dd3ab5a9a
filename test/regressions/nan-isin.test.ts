/**
 * Regression (differential test, seed 8, path 30:2:6:6:8:8:7:9:9:9:9:9:10:13:10:10:11:10:10:10:12:12:12:12:12:19:20:19:19:16:17:17:17):
 * `isin(NaN)` keeps the NaN rows (Spark: NaN equals NaN), across files and row groups whose
 * statistics leave NaN out. Stratus was right; the oracle was not — DuckDB's Parquet filter
 * pushdown drops the row — so the differential test now loads the files into DuckDB tables.
 */
import { it } from 'vitest';
import { col, lit } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

it('isin(NaN) keeps the NaN row of a row group whose statistics leave NaN out', async () => {
  const t = await ctx.tables({
    a: {
      columns: [
        ['a0', 'int32'],
        ['a1', 'float64'],
      ],
      rows: [
        [null, 0],
        [null, null],
        [null, Number.NaN],
      ],
      writer: 'wasm',
      rowGroupSize: 2,
      files: 2,
    },
  });
  await ctx.expectSame(
    t.a.filter(col('a1').isin(lit(Number.NaN))),
    "SELECT * FROM (SELECT * FROM a) q1 WHERE (a1 IN ('NaN'::DOUBLE))",
    { kind: 'multiset' },
  );
});

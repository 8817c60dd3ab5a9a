/**
 * Regression (differential test, seed 200, shrunk): dropna treats NaN as missing, as Spark does
 * (AtLeastNNonNulls counts non-null and non-NaN values), so a row whose double is NaN goes.
 */
import { it } from 'vitest';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

for (const config of [0, 1])
  it(`dropna() drops a row whose double is NaN (config ${config})`, async () => {
    const t = await ctx.tables(
      {
        a: {
          columns: [['a0', 'float64']],
          rows: [[Number.NaN], [1.5], [null]],
          writer: 'wasm',
          rowGroupSize: 1,
          files: 1,
        },
      },
      config,
    );
    await ctx.expectSame(
      t.a.dropna('any', null),
      'SELECT * FROM (SELECT * FROM a) q1 WHERE (a0 IS NOT NULL AND NOT isnan(a0))',
      { kind: 'multiset' },
    );
  });

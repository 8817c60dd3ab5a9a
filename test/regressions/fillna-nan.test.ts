/**
 * Regression (differential test, by hand after the dropna finding): fillna(number) replaces NaN
 * as well as NULL in double columns, as Spark does (DataFrameNaFunctions.fillCol:
 * coalesce(nanvl(col, null), value)); a fractional fill value is cast to an integer column's type.
 */
import { it } from 'vitest';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

it('fillna(number) fills NaN in double columns', async () => {
  const t = await ctx.tables({
    a: {
      columns: [
        ['a0', 'float64'],
        ['a1', 'int32'],
      ],
      rows: [
        [Number.NaN, 1],
        [null, null],
        [2.5, 3],
      ],
      writer: 'wasm',
      rowGroupSize: 2,
      files: 1,
    },
  });
  await ctx.expectSame(
    t.a.fillna(1.5),
    "SELECT COALESCE(CASE WHEN isnan(a0) THEN NULL ELSE a0 END, '1.5'::DOUBLE) AS a0, COALESCE(a1, (1)::INTEGER) AS a1 FROM a",
    { kind: 'multiset' },
  );
});

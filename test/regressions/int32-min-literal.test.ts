/**
 * Regression (differential test, seed 401, shrunk by hand from path 77:…): `lit(-2147483648)` is
 * an int32 literal — it is an integer in int32's range, as lit() documents ("Integers are int32")
 * — so int32 + it stays int32 and wraps around. planner/expr.ts literalType checked
 * `Math.abs(value) < 2 ** 31`, which left out int32 min and typed it float64.
 */
import { it } from 'vitest';
import { col, lit } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

it('int32 + lit(-2147483648) is int32 and wraps around', async () => {
  const t = await ctx.tables({
    a: { columns: [['a0', 'int32']], rows: [[0], [-1], [5], [null]], writer: 'wasm', rowGroupSize: 2, files: 1 },
  });
  await ctx.expectSame(
    t.a.select(col('a0'), col('a0').plus(lit(-2147483648)).alias('x1')),
    'SELECT a0, wrap32((a0)::HUGEINT + ((-2147483648)::INTEGER)::HUGEINT) AS x1 FROM a',
    { kind: 'multiset' },
  );
});

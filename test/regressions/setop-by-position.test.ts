/**
 * Regression (differential test, seeds 1 and 4, shrunk): intersect and except match the right
 * side's columns by position, as Spark does, whatever their names — not by the left side's names
 * (planner/lowering.ts lowerSetOp projected the right side on the left's column names).
 */
import { it } from 'vitest';
import { col } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

for (const op of ['intersect', 'except'] as const)
  it(`${op} with a right side whose columns have other names`, async () => {
    const t = await ctx.tables({
      a: {
        columns: [
          ['a0', 'int32'],
          ['a1', 'string'],
        ],
        rows: [
          [1, 'x'],
          [2, 'y'],
          [null, null],
          [2, 'y'],
        ],
        writer: 'wasm',
        rowGroupSize: 2,
        files: 1,
      },
      b: {
        columns: [
          ['b0', 'int32'],
          ['b1', 'string'],
        ],
        rows: [
          [2, 'y'],
          [null, null],
          [3, 'z'],
        ],
        writer: 'wasm',
        rowGroupSize: 1,
        files: 1,
      },
    });
    await ctx.expectSame(
      t.a[op](t.b.select(col('b0').alias('x1'), col('b1').alias('x2'))),
      `SELECT * FROM ((SELECT * FROM a) ${op.toUpperCase()} (SELECT b0 AS x1, b1 AS x2 FROM b)) q`,
      { kind: 'multiset' },
    );
  });

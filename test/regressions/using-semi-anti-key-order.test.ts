/**
 * Regression (differential test, by hand from the generator's using-join rule): a left_semi or
 * left_anti join on column names puts the join key first, as Spark does (Analyzer
 * commonNaturalJoinProcessing: `case LeftExistence(_) => leftKeys ++ lUniqueOutput`).
 */
import { it } from 'vitest';
import { col } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

for (const how of ['left_semi', 'left_anti'] as const)
  it(`${how} join on a column name: key column first`, async () => {
    const t = await ctx.tables({
      a: {
        columns: [
          ['a0', 'string'],
          ['a1', 'int32'],
        ],
        rows: [
          ['x', 1],
          ['y', 2],
          [null, null],
        ],
        writer: 'wasm',
        rowGroupSize: 2,
        files: 1,
      },
      b: { columns: [['b0', 'int32']], rows: [[1]], writer: 'wasm', rowGroupSize: 1, files: 1 },
    });
    await ctx.expectSame(
      t.a.join(t.b.select(col('b0').alias('a1')), ['a1'], how),
      `SELECT l.a1 AS a1, l.a0 FROM (SELECT * FROM a) l WHERE ${how === 'left_anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM (SELECT b0 AS a1 FROM b) r WHERE l.a1 = r.a1)`,
      { kind: 'multiset' },
    );
  });

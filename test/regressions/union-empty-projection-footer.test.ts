/**
 * Regression (differential test, seed 500, path 58:0:3:0:1:3:3:3:5:7:7:7:11:11:11:11:14:14:14:14:17:17:20:20:20:20:23:23:23:25:25,
 * then cut down by hand): a union whose right side reads no column of its file (a literal
 * column), followed by a projection that uses the left column twice, fails in Stratus with
 * parquet-wasm's "Expected to read 1441804 metadata bytes, but only read 1916." (the footer read
 * gets the wrong bytes). It needs these DuckDB-written files: the same pipeline over 3-row tables
 * passes, and `select(a0, a0)` passes. Fails with the optimizer rules on and off.
 * Cause: not the Parquet footer but the shuffle's Arrow IPC stream — `a0 + 1` keeps a0's
 * validity buffer, and arrow-js writes a stream it cannot read back when two columns share one
 * buffer; operators/arrow.ts now copies a column whose buffer was already written.
 */
import { it } from 'vitest';
import { col, lit } from '../../src/index.js';
import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

for (const config of [0, 1])
  it(`a union over a file read for no column, then select(a0, a0 + 1) (config ${config})`, async () => {
    const t = await ctx.tables(
      {
        a: {
          columns: [['a0', 'int32']],
          rows: [[null], [null], [null], [null], [null], [null], [null], [null], [-6], [1]],
          writer: 'duckdb',
          rowGroupSize: 16,
          files: 1,
        },
        b: {
          columns: [['b0', 'string']],
          rows: [[null], [null], ['A'], ['😀'], ['a'], ['k21'], ['A'], [null], ['A'], ['b'], ['日本語']],
          writer: 'duckdb',
          rowGroupSize: 3,
          files: 1,
        },
      },
      config,
    );
    await ctx.expectSame(
      t.a.union(t.b.select(lit(null).cast('int32').alias('x1'))).select(col('a0'), col('a0').plus(1).alias('x2')),
      'SELECT a0, a0 + 1 AS x2 FROM (SELECT * FROM a UNION ALL SELECT NULL::INTEGER FROM b)',
      { kind: 'multiset' },
    );
  });

/**
 * Differential test, helpers for regression tests (test/regressions/*.test.ts): the shrunk cases
 * the differential test prints use them. One Stratus session and one DuckDB per test file.
 *
 * @example
 * const ctx = regressionContext();
 * it('…', async () => {
 *   const t = await ctx.tables({ a: { columns: [['a0', 'int32']], rows: [[1], [null]], writer: 'wasm', rowGroupSize: 1, files: 1 }, b: … });
 *   await ctx.expectSame(t.a.groupBy('a0').agg(count()), 'SELECT a0, count(*) FROM a GROUP BY a0', { kind: 'multiset' });
 * });
 */
import { afterAll, beforeAll } from 'vitest';
import type { DataFrame } from '../../src/index.js';
import type { Check } from './build.js';
import { compareWithDuckdb, type DiffContext, openContext, openTables } from './harness.js';
import type { TableSpec } from './model.js';
import type { ColType, Value } from './values.js';

export interface TableLiteral {
  readonly columns: readonly (readonly [string, ColType])[];
  readonly rows: readonly (readonly Value[])[];
  readonly writer: 'wasm' | 'duckdb';
  readonly rowGroupSize: number;
  readonly files: number;
  /** The rows written this many times over (default 1). */
  readonly repeat?: number;
}

const EMPTY: TableLiteral = { columns: [['b0', 'int32']], rows: [], writer: 'wasm', rowGroupSize: 1, files: 1 };

function spec(t: TableLiteral): TableSpec {
  return { ...t, repeat: t.repeat ?? 1, columns: t.columns.map(([name, type]) => ({ name, type })) };
}

export function regressionContext() {
  let ctx: DiffContext | undefined;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    ctx = await openContext();
  });
  afterAll(async () => {
    for (const c of cleanups) c();
    await ctx?.close();
  });
  return {
    /**
     * Write tables a and b (default: empty); DuckDB's views `a` and `b` read the same files.
     * `config` 1 reads them in the session with the optimizer rules off (harness.ts).
     */
    async tables(t: { a: TableLiteral; b?: TableLiteral }, config = 0): Promise<{ a: DataFrame; b: DataFrame }> {
      const { dfs, cleanup } = await openTables(ctx!, { a: spec(t.a), b: spec(t.b ?? EMPTY) }, config);
      cleanups.push(cleanup);
      return dfs;
    },
    /** Throw with the differences unless Stratus and DuckDB agree as `check` says (or on count()). */
    async expectSame(df: DataFrame, sql: string, check: Check, action: 'collect' | 'count' = 'collect'): Promise<void> {
      const r = await compareWithDuckdb(ctx!, df, sql, check, action);
      if ('skip' in r) throw new Error(`DuckDB cannot answer this case: ${r.skip}`);
      if (r.diffs.length) throw new Error(`Stratus and DuckDB differ:\n  ${r.diffs.join('\n  ')}`);
    },
  };
}

/**
 * Differential test, harness: runs one case — writes its tables, builds the pipeline, runs it
 * in Stratus (one local session shared by all cases) and in DuckDB, and compares the results as
 * the case's check says. A case DuckDB cannot answer (an int64 overflow Spark would wrap but
 * DuckDB refuses) is skipped; a Stratus error where DuckDB answers is a difference.
 *
 * @example
 * const ctx = await openContext({ flags: DEFAULT_FLAGS });
 * const outcome = await runCase(ctx, someCase); // { status: 'same' } | { status: 'differ', … }
 * await ctx.close();
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type DataFrame, type Session, session } from '../../src/index.js';
import { AVOID_NOTHING, type Avoid, type Built, buildPipeline, type Check } from './build.js';
import {
  DEFAULT_TOLERANCE,
  multisetDiff,
  orderedKeysDiff,
  subMultisetDiff,
  type Tolerance,
  type Typed,
  typedFromArrow,
  typedFromDuckdb,
} from './compare.js';
import { SQL_MACROS } from './dual.js';
import type { Case, TableSpec } from './model.js';
import { sqlTable, writeTable } from './tables.js';
import { DEFAULT_FLAGS, type GenFlags } from './values.js';

export interface DiffContext {
  /**
   * The default session (config 0: shuffle joins unless hinted, 3 shuffle partitions), or one with
   * the optimizer rules off and automatic broadcast on (config 1; started on first use).
   */
  session(config?: number): Session;
  readonly duck: DuckDBConnection;
  readonly dir: string;
  readonly flags: GenFlags;
  readonly avoid: Avoid;
  readonly tolerance: Tolerance;
  close(): Promise<void>;
}

export interface ContextOptions {
  readonly flags?: GenFlags;
  readonly avoid?: Avoid;
  /** Local executor processes (default 2). */
  readonly executors?: number;
}

/**
 * One Stratus session (shuffle joins by default — broadcast only where a case asks — and three
 * shuffle partitions, so exchanges have several) and one DuckDB connection with Spark's macros.
 */
export async function openContext(opts: ContextOptions = {}): Promise<DiffContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-diff-'));
  const s = session({
    store: path.join(dir, 'store'),
    executors: opts.executors ?? 2,
    progress: false,
    job: {
      shufflePartitions: 3,
      broadcastThreshold: 0,
    },
  });
  let plain: Session | undefined;
  const unoptimized = () =>
    (plain ??= session({
      store: path.join(dir, 'store-plain'),
      executors: 1,
      progress: false,
      job: { shufflePartitions: 2, disabledRules: OPTIMIZER_RULES },
    }));
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  for (const m of SQL_MACROS) await duck.run(m);
  const flags = opts.flags ?? DEFAULT_FLAGS;
  return {
    session: (config = 0) => (config === 1 ? unoptimized() : s),
    duck,
    dir,
    flags,
    avoid: opts.avoid ?? AVOID_NOTHING,
    tolerance: { ...DEFAULT_TOLERANCE, exactInt64: flags.int64Extremes },
    async close() {
      await s.stop();
      await plain?.stop();
      duck.closeSync();
      instance.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The optimizer rules (planner/optimizer/rules) switched off in config 1 — all but broadcast selection. */
const OPTIMIZER_RULES = [
  'aggregate_scan_filters',
  'constant_folding',
  'partial_aggregation',
  'predicate_pushdown',
  'projection_pushdown',
  'row_group_pruning',
];

let caseCounter = 0;

/** Write tables `a` and `b` for one case, point DuckDB's views `a`/`b` at them, and read them in Stratus. */
export async function openTables(
  ctx: DiffContext,
  tables: { readonly a: TableSpec; readonly b: TableSpec },
  config = 0,
): Promise<{ dfs: { a: DataFrame; b: DataFrame }; cleanup: () => void }> {
  const caseDir = path.join(ctx.dir, `case-${++caseCounter}`);
  const dfs = {} as { a: DataFrame; b: DataFrame };
  for (const name of ['a', 'b'] as const) {
    const dir = await writeTable(ctx.duck, path.join(caseDir, name), tables[name]);
    // A table, not a view over read_parquet: DuckDB's Parquet filter pushdown loses NaN rows for
    // `x IN ('NaN')` (row-group statistics leave NaN out), which made the oracle wrong (seed 8).
    await ctx.duck.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM ${sqlTable(dir)}`);
    dfs[name] = ctx.session(config).read.parquet(dir);
  }
  return { dfs, cleanup: () => fs.rmSync(caseDir, { recursive: true, force: true }) };
}

export type Outcome =
  | { readonly status: 'same'; readonly rows: number }
  | { readonly status: 'skip'; readonly reason: string }
  | { readonly status: 'differ'; readonly message: string; readonly built: Built };

/** DuckDB errors that mean "no answer under Spark's rules here", not a broken query. */
const ORACLE_GAPS = /Out of Range|Overflow|Conversion Error/i;

/** Compare a Stratus result with DuckDB's per `check`; the differences, empty when the same. */
export async function compareWithDuckdb(
  ctx: DiffContext,
  df: DataFrame,
  sql: string,
  check: Check,
  action: 'collect' | 'count' = 'collect',
): Promise<{ diffs: string[]; rows: number } | { skip: string }> {
  if (action === 'count') return compareCounts(ctx, df, sql);
  let expected: Typed;
  try {
    expected = typedFromDuckdb(await ctx.duck.runAndReadAll(sql));
  } catch (e) {
    const msg = (e as Error).message;
    if (ORACLE_GAPS.test(msg)) return { skip: `DuckDB: ${msg.split('\n')[0]}` };
    throw new Error(`differential: the generated SQL failed in DuckDB (a bug in the test): ${msg}\n${sql}`);
  }
  let actual: Typed;
  try {
    actual = typedFromArrow(await df.collect());
  } catch (e) {
    return { diffs: [`Stratus failed where DuckDB answered: ${(e as Error).message}`], rows: 0 };
  }
  const diffs: string[] = [];
  if (actual.columns.join(',') !== expected.columns.join(','))
    diffs.push(`columns: Stratus [${actual.columns.join(', ')}], DuckDB [${expected.columns.join(', ')}]`);
  else if (actual.types.join(',') !== expected.types.join(','))
    diffs.push(`column types: Stratus [${actual.types.join(', ')}], DuckDB [${expected.types.join(', ')}]`);
  if (diffs.length) return { diffs, rows: actual.rows.length };
  const tol = ctx.tolerance;
  switch (check.kind) {
    case 'multiset':
      diffs.push(...multisetDiff(actual.rows, expected.rows, tol));
      break;
    case 'ordered':
      diffs.push(...multisetDiff(actual.rows, expected.rows, tol));
      if (!diffs.length) diffs.push(...orderedKeysDiff(actual.rows, expected.rows, check.keys, tol));
      break;
    case 'limited': {
      const all = typedFromDuckdb(await ctx.duck.runAndReadAll(check.sqlAll));
      if (actual.rows.length !== expected.rows.length)
        diffs.push(
          `row count: Stratus ${actual.rows.length}, DuckDB ${expected.rows.length} (limit ${check.n} of ${all.rows.length})`,
        );
      diffs.push(...subMultisetDiff(actual.rows, all.rows, tol));
      if (check.keys && !diffs.length) diffs.push(...orderedKeysDiff(actual.rows, expected.rows, check.keys, tol));
      break;
    }
    default:
      return check satisfies never;
  }
  return { diffs, rows: actual.rows.length };
}

/** `df.count()` against `SELECT count(*)` of the same query (a limited query's count is determined). */
async function compareCounts(
  ctx: DiffContext,
  df: DataFrame,
  sql: string,
): Promise<{ diffs: string[]; rows: number } | { skip: string }> {
  let expected: number;
  try {
    const rows = (await ctx.duck.runAndReadAll(`SELECT count(*) FROM (${sql}) counted`)).getRows();
    expected = Number(rows[0]![0]);
  } catch (e) {
    const msg = (e as Error).message;
    if (ORACLE_GAPS.test(msg)) return { skip: `DuckDB: ${msg.split('\n')[0]}` };
    throw new Error(`differential: the generated SQL failed in DuckDB (a bug in the test): ${msg}\n${sql}`);
  }
  try {
    const actual = await df.count();
    return { diffs: actual === expected ? [] : [`count(): Stratus ${actual}, DuckDB ${expected}`], rows: actual };
  } catch (e) {
    return { diffs: [`Stratus count() failed where DuckDB answered: ${(e as Error).message}`], rows: 0 };
  }
}

/** Run one generated case. */
export async function runCase(ctx: DiffContext, c: Case): Promise<Outcome> {
  const { dfs, cleanup } = await openTables(ctx, c, c.config);
  try {
    const built = buildPipeline(c, dfs, ctx.flags, ctx.avoid);
    const r = await compareWithDuckdb(ctx, built.df, built.sql, built.check, c.action);
    if ('skip' in r) return { status: 'skip', reason: r.skip };
    if (r.diffs.length) return { status: 'differ', message: r.diffs.join('\n'), built };
    return { status: 'same', rows: r.rows };
  } finally {
    cleanup();
  }
}

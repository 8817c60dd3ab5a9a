/**
 * The contract between the benchmark harness (run.ts) and an engine runner process, and the
 * runner side of it. A runner module is started as `node --import tsx <runner> '<RunnerArgs JSON>'`,
 * runs warmup + timed runs of every query, logs progress on stderr and prints one
 * `RunnerResult` JSON object as the last line of stdout.
 *
 * @example
 * // in a runner module:
 * await serveRunner('duckdb', async (args) => ({ supports: () => true, run: ..., rows: ..., close: ... }));
 */
import type { ResultSet } from '../compare.js';

export const ENGINES = ['stratus', 'duckdb', 'polars'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface RunnerArgs {
  readonly engine: EngineName;
  /** TPC-H directory with one sub-directory of Parquet files per table. */
  readonly dataDir: string;
  readonly queries: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  /** Threads (DuckDB, Polars) or executor processes (Stratus). */
  readonly threads: number;
  /** An empty directory for the runner's scratch files (Stratus' store); the harness deletes it. */
  readonly scratchDir: string;
}

export interface QueryOutcome {
  readonly query: number;
  /** 'missing': this engine has no implementation of the query. */
  readonly status: 'ok' | 'missing' | 'error';
  readonly warmupMs: number[];
  readonly runsMs: number[];
  /** Result of the last run, as plain rows. */
  readonly result?: ResultSet;
  readonly error?: string;
  /** Engine-reported time breakdown of the last run (Stratus job summary), verbatim. */
  readonly breakdown?: unknown;
  /**
   * Engine-reported breakdown of each timed run, in the order of `runsMs` (Stratus: the job's
   * wall time and each stage's critical-path figures), when the engine reports one per run.
   */
  readonly runBreakdowns?: unknown[];
  /** Largest helper process's peak RSS (MB) over this query's runs (Stratus executors), when known. */
  readonly helperPeakRssMB?: number;
}

export interface RunnerResult {
  readonly engine: EngineName;
  readonly threads: number;
  /** Time to open the engine (instance, session, lazy frames) before the first query. */
  readonly openMs: number;
  /** Peak resident set of the runner process (MB). */
  readonly peakRssMB: number;
  /** Peak resident set of helper processes (Stratus executors), MB each, when known. */
  readonly helperPeakRssMB?: number[];
  readonly notes: string[];
  readonly queries: QueryOutcome[];
}

/** What a runner module provides; `H` is the engine's own result handle (timed part ends there). */
export interface EngineAdapter<H> {
  supports(query: number): boolean;
  /** Runs the query to a materialized result; this is what is timed. */
  run(query: number): Promise<H>;
  /** Converts a result to plain rows (not timed). */
  rows(result: H): ResultSet;
  /** Engine-reported breakdown of the last run, if the engine has one. */
  breakdown?(): unknown;
  /** A compact breakdown of the run that just ended, read after every timed run (not timed). */
  runBreakdown?(): unknown;
  /** Peak RSS of helper processes in MB, read before close (and after each query). */
  helperPeakRssMB?(): number[];
  /** Restarts the helper processes' peak RSS from their current RSS (before each query). */
  resetHelperPeaks?(): void;
  /** The largest helper process's peak RSS in MB since the last reset. */
  helperPeakSinceResetMB?(): number | undefined;
  readonly notes?: string[];
  close(): Promise<void>;
}

/** Parses the args from argv, runs every query and prints the result line. */
export async function serveRunner<H>(
  engine: EngineName,
  open: (args: RunnerArgs) => Promise<EngineAdapter<H>>,
): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RunnerArgs;
  const log = (msg: string) => process.stderr.write(`[bench] ${engine} threads=${args.threads} ${msg}\n`);
  const t0 = performance.now();
  const adapter = await open(args);
  const openMs = performance.now() - t0;
  const queries: QueryOutcome[] = [];
  for (const q of args.queries) queries.push(await runQuery(adapter, q, args, log));
  const helperPeakRssMB = adapter.helperPeakRssMB?.();
  await adapter.close();
  const result: RunnerResult = {
    engine,
    threads: args.threads,
    openMs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    ...(helperPeakRssMB ? { helperPeakRssMB } : {}),
    notes: adapter.notes ?? [],
    queries,
  };
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

async function runQuery<H>(
  adapter: EngineAdapter<H>,
  query: number,
  args: RunnerArgs,
  log: (m: string) => void,
): Promise<QueryOutcome> {
  const warmupMs: number[] = [];
  const runsMs: number[] = [];
  const runBreakdowns: unknown[] = [];
  if (!adapter.supports(query)) {
    log(`Q${query}: not implemented by this engine`);
    return { query, status: 'missing', warmupMs, runsMs };
  }
  let last: H | undefined;
  adapter.resetHelperPeaks?.();
  try {
    for (let i = 0; i < args.warmup + args.runs; i++) {
      const warm = i < args.warmup;
      const t = performance.now();
      last = await adapter.run(query);
      const ms = performance.now() - t;
      (warm ? warmupMs : runsMs).push(ms);
      if (!warm && adapter.runBreakdown) runBreakdowns.push(adapter.runBreakdown());
      log(
        `Q${query} ${warm ? `warmup ${i + 1}/${args.warmup}` : `run ${i - args.warmup + 1}/${args.runs}`}: ${ms.toFixed(1)} ms`,
      );
    }
    const breakdown = adapter.breakdown?.();
    const peak = adapter.helperPeakSinceResetMB?.();
    return {
      query,
      status: 'ok',
      warmupMs,
      runsMs,
      ...(peak !== undefined ? { helperPeakRssMB: peak } : {}),
      ...(last !== undefined ? { result: adapter.rows(last) } : {}),
      ...(breakdown !== undefined ? { breakdown } : {}),
      ...(adapter.runBreakdown ? { runBreakdowns } : {}),
    };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log(`Q${query} FAILED: ${error}`);
    return { query, status: 'error', warmupMs, runsMs, error };
  }
}

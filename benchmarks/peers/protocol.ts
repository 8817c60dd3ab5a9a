/**
 * The contract between the benchmark harness (run.ts) and an engine runner process, and the
 * runner side of it. A runner module is started as `node --import tsx <runner> '<RunnerArgs JSON>'`,
 * opens its engine, answers with an `OpenReply`, then serves one `Command` at a time from its
 * stdin (JSON lines) and answers each with one reply line on stdout (`REPLY_MARK` + JSON; any
 * other stdout line is the engine's own and passed through to stderr). The harness drives every
 * runner of a bench this way, one command in one process at a time, so it can interleave them
 * (peers/schedule.ts): each query runs round by round in every process, and ratios across
 * processes (1 vs 2 threads, SF1 vs SF10, Stratus vs a peer) come from the same minutes of a
 * host whose speed drifts. Errors of the engine are replies; a runner that dies or hangs is the
 * harness's to name (peers/spawn.ts).
 *
 * @example
 * // in a runner module:
 * await serveRunner('duckdb', async (args) => ({ supports: () => true, run: ..., rows: ..., close: ... }));
 * // on its stdin / stdout:
 * // {"op":"begin","query":6}             → @bench {"supported":true}
 * // {"op":"run","query":6,"timed":true}  → @bench {"ms":41.2}
 * // {"op":"finish","query":6}            → @bench {"result":{…}}
 * // {"op":"close"}                       → @bench {"peakRssMB":312,"notes":[]}
 */
import { createInterface } from 'node:readline';
import type { ResultSet } from '../compare.js';

export const ENGINES = ['stratus', 'duckdb', 'polars'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Starts a runner's reply line on stdout, so stray output of an engine cannot pass for one. */
export const REPLY_MARK = '@bench ';

export interface RunnerArgs {
  readonly engine: EngineName;
  /** TPC-H directory with one sub-directory of Parquet files per table. */
  readonly dataDir: string;
  /** Threads (DuckDB, Polars) or executor processes (Stratus). */
  readonly threads: number;
  /** An empty directory for the runner's scratch files (Stratus' store); the harness deletes it. */
  readonly scratchDir: string;
}

/**
 * What the harness asks of a runner, one at a time. `begin` starts a query (restarting the
 * helper processes' peak RSS), `run` runs it once (warm-up or timed), `finish` hands over the
 * last run's result rows, breakdown and the helpers' peak since `begin`; `close` ends the runner.
 */
export type Command =
  | { readonly op: 'begin'; readonly query: number }
  | { readonly op: 'run'; readonly query: number; readonly timed: boolean }
  | { readonly op: 'finish'; readonly query: number }
  | { readonly op: 'close' };

/** A reply when the engine failed the command (the runner carries on). */
export interface ErrorReply {
  readonly error: string;
}

export interface OpenReply {
  /** Time to open the engine (instance, session, lazy frames) before the first query. */
  readonly openMs: number;
}

export interface BeginReply {
  /** False: this engine has no implementation of the query. */
  readonly supported: boolean;
}

export interface RunReply {
  readonly ms: number;
  /** A timed run's compact breakdown, when the engine reports one per run (null: none this run). */
  readonly runBreakdown?: unknown;
}

export interface FinishReply {
  readonly result?: ResultSet;
  readonly breakdown?: unknown;
  readonly helperPeakRssMB?: number;
}

export interface CloseReply {
  readonly peakRssMB: number;
  readonly helperPeakRssMB?: number[];
  readonly notes: string[];
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

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function reply(r: object): void {
  process.stdout.write(`${REPLY_MARK}${JSON.stringify(r)}\n`);
}

/**
 * Opens the engine from the args in argv, then serves the harness's commands until `close` (or
 * until its stdin ends: the harness is gone, and the runner closes its engine and exits).
 */
export async function serveRunner<H>(
  engine: EngineName,
  open: (args: RunnerArgs) => Promise<EngineAdapter<H>>,
): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RunnerArgs;
  const t0 = performance.now();
  let adapter: EngineAdapter<H>;
  try {
    adapter = await open(args);
  } catch (e) {
    reply({ error: `${engine} did not open: ${errorText(e)}` });
    process.exit(1);
  }
  reply({ openMs: performance.now() - t0 } satisfies OpenReply);
  const serve = commandServer(adapter);
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as Command;
    if (command.op === 'close') break;
    reply(await serve(command));
  }
  const helperPeakRssMB = adapter.helperPeakRssMB?.();
  await adapter.close();
  reply({
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    ...(helperPeakRssMB ? { helperPeakRssMB } : {}),
    notes: adapter.notes ?? [],
  } satisfies CloseReply);
  process.stdin.destroy();
}

/** The runner's answer to each query command; it keeps the handle of the query's last run. */
function commandServer<H>(
  adapter: EngineAdapter<H>,
): (c: Exclude<Command, { op: 'close' }>) => Promise<BeginReply | RunReply | FinishReply | ErrorReply> {
  let last: H | undefined;
  return async (c) => {
    try {
      switch (c.op) {
        case 'begin': {
          last = undefined;
          const supported = adapter.supports(c.query);
          if (supported) adapter.resetHelperPeaks?.();
          return { supported };
        }
        case 'run': {
          const t = performance.now();
          last = await adapter.run(c.query);
          const ms = performance.now() - t;
          return c.timed && adapter.runBreakdown ? { ms, runBreakdown: adapter.runBreakdown() ?? null } : { ms };
        }
        case 'finish': {
          const breakdown = adapter.breakdown?.();
          const peak = adapter.helperPeakSinceResetMB?.();
          return {
            ...(last !== undefined ? { result: adapter.rows(last) } : {}),
            ...(breakdown !== undefined ? { breakdown } : {}),
            ...(peak !== undefined ? { helperPeakRssMB: peak } : {}),
          };
        }
        default:
          return c satisfies never;
      }
    } catch (e) {
      return { error: errorText(e) };
    }
  };
}

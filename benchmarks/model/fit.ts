/**
 * Growth of each stage metric with the scale factor: an ordinary least-squares line
 * y = intercept + slope × SF per (query, stage, metric) over the measured runs, with its R².
 * Stages are matched by id over the runs whose stage graph is the largest SF's (see fitProfiles).
 */
import type { TaskBar } from '../../src/cli/report/data.js';

/** One stage of one measured job. */
export interface StageRun {
  readonly stage: number;
  readonly kind: 'scan' | 'reduce';
  /** Stages this one reads (shuffle sources and broadcast build sides). */
  readonly deps: readonly number[];
  readonly tasks: number;
  readonly taskMillis: number;
  readonly maxTaskMillis: number;
  readonly cpuSeconds: number;
  readonly parquetBytes: number;
  readonly shuffleBytesWritten: number;
  readonly shuffleBytesRead: number;
  readonly resultBytes: number;
  readonly gets: number;
  readonly puts: number;
  readonly lists: number;
  readonly heads: number;
  /** Peak RSS of the executor process over the whole job (not per stage). */
  readonly peakMemoryMB: number;
}

/** One measured job. */
export interface QueryRun {
  readonly query: number;
  readonly sf: number;
  readonly collectMillis: number;
  readonly jobWallMillis: number;
  readonly rounds: number;
  readonly scanBytesPlanned: number;
  readonly executorCpuSeconds: number;
  readonly driverCpuSeconds: number;
  readonly executorPeakMB: number;
  readonly duckdbMillis: number;
  /** CPU-seconds of the profiling process over DuckDB's timed run (DuckDB threads=1). */
  readonly duckdbCpuSeconds: number;
  readonly stages: readonly StageRun[];
  /** The job's task attempts over time (ms from its start), recorded at the profile's largest SF. */
  readonly timeline?: readonly TaskBar[];
}

/**
 * Splits a stage's bytes in into Parquet and shuffle reads, given the bytes its deps wrote: a scan
 * stage's deps are broadcast build sides, read whole by each of its tasks; a reduce stage reads its
 * shuffle sources once in all — and, when the adaptive planner lets it read a small file side
 * directly, Parquet too. Whatever the deps cannot account for is Parquet.
 * @example splitBytesIn('scan', 1000, 2, 100) // { parquetBytes: 800, shuffleBytesRead: 200 }
 */
export function splitBytesIn(
  kind: 'scan' | 'reduce',
  bytesIn: number,
  tasks: number,
  depsWritten: number,
): { parquetBytes: number; shuffleBytesRead: number } {
  const shuffleBytesRead = Math.min(bytesIn, kind === 'scan' ? depsWritten * tasks : depsWritten);
  return { parquetBytes: bytesIn - shuffleBytesRead, shuffleBytesRead };
}

export const FIT_METRICS = [
  'tasks',
  'cpuSeconds',
  'parquetBytes',
  'shuffleBytesWritten',
  'shuffleBytesRead',
  'resultBytes',
  'gets',
  'puts',
  'peakMemoryMB',
] as const;
export type FitMetric = (typeof FIT_METRICS)[number];

export interface LinearFit {
  readonly intercept: number;
  readonly slope: number;
  /** Coefficient of determination (1 when every point is on the line; 1 for a constant metric). */
  readonly r2: number;
}

export interface StageFit {
  readonly stage: number;
  readonly kind: 'scan' | 'reduce';
  readonly deps: readonly number[];
  readonly metrics: Readonly<Record<FitMetric, LinearFit>>;
}

export interface QueryFit {
  readonly query: number;
  /** The scale factors the per-stage fits use (those with the largest SF's stage graph). */
  readonly scaleFactors: readonly number[];
  readonly stages: readonly StageFit[] | null;
  /** 'linear' through two or more runs; 'proportional' through the origin and one run. */
  readonly basis?: 'linear' | 'proportional';
  /** Why the fit left runs out (the stage graph changed with SF). */
  readonly reason?: string;
  /** Job-level fits: driver CPU, rounds, DuckDB single-thread time (s). */
  readonly job: Readonly<
    Record<'driverCpuSeconds' | 'rounds' | 'duckdbSeconds' | 'duckdbCpuSeconds' | 'executorCpuSeconds', LinearFit>
  >;
}

/**
 * Least-squares line through (x, y) points.
 * @example linearFit([1, 2, 3], [2, 4, 6]) // { intercept: 0, slope: 2, r2: 1 }
 */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length || xs.length < 2)
    throw new Error(`linearFit: need at least two (x, y) points of equal count, got ${xs.length} and ${ys.length}`);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new Error('linearFit: every x is the same; growth cannot be fitted');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : Math.min(1, (sxy * sxy) / (sxx * syy));
  return { intercept, slope, r2 };
}

/** The fitted value at x, never below zero (a count or a size). */
export function atScale(f: LinearFit, x: number): number {
  return Math.max(0, f.intercept + f.slope * x);
}

function shapeOf(run: QueryRun): string {
  return run.stages.map((s) => `${s.stage}:${s.kind}<${s.deps.join(',')}>`).join(' ');
}

/**
 * Per query: a line per stage metric through the runs of every scale factor. When the stage graph
 * changes with SF (a broadcast join that becomes a shuffle join), the graph of the largest SF is
 * the one that runs at scale: the fit uses the runs with that graph — a line when there are two or
 * more, else a line through the origin and the one run (`basis: 'proportional'`) — and says so.
 */
export function fitProfiles(runs: readonly QueryRun[]): QueryFit[] {
  const byQuery = new Map<number, QueryRun[]>();
  for (const r of runs) byQuery.set(r.query, [...(byQuery.get(r.query) ?? []), r]);
  const out: QueryFit[] = [];
  for (const [query, all] of [...byQuery].sort((a, b) => a[0] - b[0])) {
    all.sort((a, b) => a.sf - b.sf);
    const xs = all.map((r) => r.sf);
    const job = {
      driverCpuSeconds: linearFit(
        xs,
        all.map((r) => r.driverCpuSeconds),
      ),
      rounds: linearFit(
        xs,
        all.map((r) => r.rounds),
      ),
      duckdbSeconds: linearFit(
        xs,
        all.map((r) => r.duckdbMillis / 1000),
      ),
      duckdbCpuSeconds: linearFit(
        xs,
        all.map((r) => r.duckdbCpuSeconds),
      ),
      executorCpuSeconds: linearFit(
        xs,
        all.map((r) => r.executorCpuSeconds),
      ),
    };
    const largest = shapeOf(all[all.length - 1]!);
    const rs = all.filter((r) => shapeOf(r) === largest);
    const shapes = new Set(all.map(shapeOf));
    const reason =
      shapes.size > 1
        ? `stage graph differs between scale factors (${[...shapes].join(' | ')}); fitted on the graph of SF ${rs.map((r) => r.sf).join(', ')}`
        : undefined;
    const fitOne = (ys: number[]): LinearFit =>
      rs.length >= 2
        ? linearFit(
            rs.map((r) => r.sf),
            ys,
          )
        : { intercept: 0, slope: ys[0]! / rs[0]!.sf, r2: 1 };
    const stages = rs[0]!.stages.map((s0, i) => ({
      stage: s0.stage,
      kind: s0.kind,
      deps: s0.deps,
      metrics: Object.fromEntries(FIT_METRICS.map((m) => [m, fitOne(rs.map((r) => r.stages[i]![m]))])) as Record<
        FitMetric,
        LinearFit
      >,
    }));
    out.push({
      query,
      scaleFactors: rs.map((r) => r.sf),
      stages,
      basis: rs.length >= 2 ? 'linear' : 'proportional',
      ...(reason ? { reason } : {}),
      job,
    });
  }
  return out;
}

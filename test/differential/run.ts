/**
 * Differential test, the run: draws `numRuns` cases from a seed with fast-check, runs each
 * against DuckDB, and on the first difference replays that run (same seed and path) with
 * shrinking on, for at most `shrinkTimeMs`, and prints the smallest failing case found as a
 * regression test. Used by test/differential.test.ts (a fixed seed) and scripts/fuzz.ts.
 *
 * @example
 * const report = await runDifferential({ seed: 42, numRuns: 100 });
 * if (report.failure) console.log(report.failure.source);
 */
import fc from 'fast-check';
import { type CaseLimits, caseArb, DEFAULT_LIMITS } from './arbitraries.js';
import type { Avoid } from './build.js';
import { type DiffContext, openContext, runCase } from './harness.js';
import type { Case, TableSpec } from './model.js';
import { regressionSource } from './print.js';
import { DEFAULT_FLAGS, type GenFlags } from './values.js';

export interface RunOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Time allowed to shrink a failing case (default 120 s). */
  readonly shrinkTimeMs?: number;
  readonly flags?: GenFlags;
  readonly avoid?: Avoid;
  readonly limits?: CaseLimits;
  /** Progress lines (a run every `logEvery` cases, the failure). */
  readonly log?: (line: string) => void;
  readonly logEvery?: number;
}

export interface Failure {
  readonly case: Case;
  readonly message: string;
  /** fast-check's path of the failing run: `--seed <seed> --path <path>` replays it. */
  readonly path: string;
  readonly shrinks: number;
  /** A vitest file reproducing the shrunk case (for test/regressions/). */
  readonly source: string;
}

export interface RunReport {
  readonly seed: number;
  readonly runs: number;
  readonly same: number;
  readonly skipped: number;
  readonly nonEmpty: number;
  readonly elapsedMs: number;
  readonly failure: Failure | null;
}

function property(ctx: DiffContext, opts: RunOptions, stats: { same: number; skipped: number; nonEmpty: number }) {
  return fc.asyncProperty(caseArb(ctx.flags, opts.limits ?? DEFAULT_LIMITS), async (c) => {
    const o = await runCase(ctx, c);
    if (o.status === 'skip') {
      stats.skipped++;
      fc.pre(false);
    }
    if (o.status === 'differ') throw new Error(o.message);
    if (o.status === 'same') {
      stats.same++;
      if (o.rows > 0) stats.nonEmpty++;
      const done = stats.same + stats.skipped;
      if (opts.logEvery && done % opts.logEvery === 0) opts.log?.(`  ${done} cases, ${stats.nonEmpty} with rows`);
    }
  });
}

export async function runDifferential(opts: RunOptions): Promise<RunReport> {
  const t0 = performance.now();
  const ctx = await openContext({ flags: opts.flags ?? DEFAULT_FLAGS, avoid: opts.avoid });
  const stats = { same: 0, skipped: 0, nonEmpty: 0 };
  try {
    const found = await fc.check(property(ctx, opts, stats), {
      seed: opts.seed,
      numRuns: opts.numRuns,
      endOnFailure: true,
    });
    const report = { seed: opts.seed, runs: found.numRuns, ...stats };
    if (!found.failed) return { ...report, elapsedMs: performance.now() - t0, failure: null };
    opts.log?.(`difference at run ${found.numRuns} (path ${found.counterexamplePath}); shrinking…`);
    const shrunk = await fc.check(
      property(ctx, { ...opts, logEvery: undefined }, { same: 0, skipped: 0, nonEmpty: 0 }),
      {
        seed: opts.seed,
        path: found.counterexamplePath ?? undefined,
        numRuns: 1,
        interruptAfterTimeLimit: opts.shrinkTimeMs ?? 120_000,
      },
    );
    let c = (shrunk.counterexample ?? found.counterexample)![0] as Case;
    c = await dropColumns(ctx, c, performance.now() + 60_000);
    const failure = await describeFailure(
      ctx,
      c,
      opts.seed,
      shrunk.counterexamplePath ?? found.counterexamplePath ?? '',
    );
    return { ...report, elapsedMs: performance.now() - t0, failure: { ...failure, shrinks: shrunk.numShrinks } };
  } finally {
    await ctx.close();
  }
}

/** The table without its column `i` (the others renumbered: the pipeline picks columns by position). */
function withoutColumn(t: TableSpec, i: number, prefix: string): TableSpec {
  return {
    ...t,
    columns: t.columns.filter((_, j) => j !== i).map((col, j) => ({ ...col, name: `${prefix}${j}` })),
    rows: t.rows.map((r) => r.filter((_, j) => j !== i)),
  };
}

/**
 * A shrinking pass fast-check cannot do: remove whole columns (its shrinker removes cells of a
 * row-major table one row at a time, so a column never goes). Keeps each removal that still differs.
 */
async function dropColumns(ctx: DiffContext, c: Case, deadline: number): Promise<Case> {
  let cur = c;
  for (const name of ['a', 'b'] as const) {
    for (let i = cur[name].columns.length - 1; i >= 0 && cur[name].columns.length > 1; i--) {
      if (performance.now() > deadline) return cur;
      const next = { ...cur, [name]: withoutColumn(cur[name], i, name) };
      if ((await runCase(ctx, next)).status === 'differ') cur = next;
    }
  }
  return cur;
}

/** Run the failing case once more to get its pipeline and difference, and print it. */
async function describeFailure(
  ctx: DiffContext,
  c: Case,
  seed: number,
  path: string,
): Promise<Omit<Failure, 'shrinks'>> {
  const o = await runCase(ctx, c);
  const origin = `seed ${seed}, path ${path}`;
  if (o.status !== 'differ')
    return {
      case: c,
      path,
      message: `the shrunk case no longer differs (${o.status}): a flaky difference`,
      source: '',
    };
  return {
    case: c,
    path,
    message: o.message,
    source: regressionSource(c, o.built, 'TODO: name the bug', origin, o.message),
  };
}

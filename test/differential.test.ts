/**
 * The seeded differential test (issue 10): random tables (nulls in every column, NaN, -0.0, ±∞,
 * empty and non-ASCII strings, skewed keys, several files and row groups, two Parquet writers)
 * and random pipelines (filters, projections with arithmetic, group-by with every aggregate,
 * every join kind, sort/limit, distinct, set operations), run in Stratus and in DuckDB and
 * compared on whole results. A fixed seed, so a failure here is reproducible; on a difference
 * the case is shrunk and printed as a regression test for test/regressions/. Longer runs with
 * any seed: `npm run fuzz -- --seed N --cases M` (docs/testing.md).
 */
import { expect, it } from 'vitest';
import { AVOID_KNOWN } from './differential/known.js';
import { runDifferential } from './differential/run.js';
import { DEFAULT_FLAGS } from './differential/values.js';

const SEED = 20_261_201;
const CASES = 100;
/** Types the engine computes exactly, switched on (docs/testing.md, "Types behind flags"). */
const FLAGS = { ...DEFAULT_FLAGS, timestamps: true };

it(`Stratus agrees with DuckDB on ${CASES} random pipelines (seed ${SEED})`, { timeout: 600_000 }, async () => {
  const report = await runDifferential({
    seed: SEED,
    numRuns: CASES,
    flags: FLAGS,
    avoid: AVOID_KNOWN,
    shrinkTimeMs: 120_000,
  });
  if (report.failure) {
    const f = report.failure;
    throw new Error(
      `Stratus and DuckDB differ (seed ${SEED}, path ${f.path}):\n${f.message}\n\nShrunk case as a regression test:\n\n${f.source}`,
    );
  }
  expect(report.runs).toBe(CASES);
  // The generator is doing its job: most cases return rows, few are beyond DuckDB.
  expect(report.nonEmpty).toBeGreaterThan(CASES / 2);
  expect(report.skipped).toBeLessThan(CASES / 10);
});

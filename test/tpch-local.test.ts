/**
 * TPC-H Q1, Q3, Q5, Q6, Q12 and Q18 through the local state machine, executors in separate
 * processes: on the official SF0.1 data (when it is beside the repository) whole results are
 * compared with the official answers and with DuckDB. All 22 queries are compared with DuckDB on
 * the generated data, and on the official data when present, in tpch22.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { QUERIES, ORDERED, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, readCsvAnswer, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { OFFICIAL, SF01, useTpchSession } from './support/tpch.js';

const s = useTpchSession();

describe.runIf(OFFICIAL)('TPC-H on the official SF0.1 data in local mode', () => {
  for (const q of [1, 3, 5, 6, 12, 18]) {
    it(`Q${q} matches the official answer and DuckDB`, async () => {
      const { data, answers } = OFFICIAL!;
      const table = await QUERIES[q]!(tpchTables(s(), data)).collect();
      const actual = rowsFromArrow(table);
      const expected = readCsvAnswer(path.join(answers, `q${q}.csv`));
      expectSameResults(actual, expected, { ordered: ORDERED[q]!, relTol: 1e-9 });
      expectSameResults(actual, await duckdbQuery(tpchSql(q), data), { ordered: ORDERED[q]!, relTol: 1e-9 });
    });
  }
});

describe('local mode executors', () => {
  it('runs executors in separate, reused processes', async () => {
    await QUERIES[6]!(tpchTables(s(), SF01)).collect();
    const pool = s().localRunner.pool;
    expect(pool.pids.every((p) => p !== process.pid)).toBe(true);
    expect(pool.invocationCounts.reduce((a, b) => a + b, 0)).toBeGreaterThan(pool.started);
  });
});

/**
 * All 22 TPC-H queries, written in the Stratus DSL, on the SF0.1 data through the local state
 * machine with executors in separate processes; each whole result is compared with DuckDB
 * running the specification's SQL on the same files (row order where the query orders).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { ORDERED, QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const PASSING = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];

let s: Session;
beforeAll(() => {
  s = session({ store: tempDir(), executors: 2, progress: false });
});
afterAll(async () => {
  await s.stop();
  await closeDuckdbOracles();
});

describe('TPC-H Q1–Q22 on SF0.1 in local mode, against DuckDB', () => {
  for (const q of PASSING) {
    it(`Q${q} matches DuckDB`, async () => {
      const [table, expected] = await Promise.all([
        QUERIES[q]!(tpchTables(s, SF01)).collect(),
        duckdbQuery(tpchSql(q), SF01),
      ]);
      expectSameResults(rowsFromArrow(table), expected, { ordered: ORDERED[q]!, relTol: 1e-9 });
    });
  }
});

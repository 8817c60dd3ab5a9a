/**
 * The 22 TPC-H queries in their specification SQL text (benchmarks/tpch/sql) through
 * `session.sql` over temp views of the generated SF0.1 tables, each whole result compared with
 * DuckDB running the same text on the same files (row order where the query orders).
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { ORDERED } from '../benchmarks/tpch/queries/index.js';
import { TPCH_TABLES, tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
beforeAll(() => {
  s = session({ store: tempDir(), executors: 2, progress: false });
  for (const t of TPCH_TABLES) s.read.parquet(path.join(SF01, t)).createOrReplaceTempView(t);
});
afterAll(async () => {
  await s.stop();
  await closeDuckdbOracles();
});

describe('TPC-H Q1–Q22 spec SQL through session.sql, against DuckDB', () => {
  for (let q = 1; q <= 22; q++) {
    it(`Q${q} matches DuckDB`, async () => {
      const text = tpchSql(q);
      const [table, expected] = await Promise.all([(await s.sql(text)).collect(), duckdbQuery(text, SF01)]);
      expectSameResults(rowsFromArrow(table), expected, { ordered: ORDERED[q]!, relTol: 1e-9 });
    });
  }
});

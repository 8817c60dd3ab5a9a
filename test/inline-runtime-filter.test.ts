/**
 * An inlined build side applies its own joins' runtime filters (src/runtime/task.ts runTask,
 * rules inline_broadcast_scans and runtime_filter): a customer-like table joined with the few
 * nations of one region is read inside the tasks that build on it, and its scan decodes its
 * other columns only at the rows whose nation key the region's nations have (TPC-H Q5's
 * customers). Executors run in this process, with the chunk decoder (operators/parquetChunk.ts)
 * wrapped to count the rows decoded per column; the whole answer equals DuckDB's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { col, session, type Session } from '../src/index.js';
import { cachedStore } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { tempDir } from './support/tpch.js';

/** Rows the chunk decoder decoded, by column name (a whole chunk, or its selected rows). */
const decoded = vi.hoisted(() => new Map<string, number>());

vi.mock('../operators/parquetChunk.js', async (importOriginal) => {
  const chunk = await importOriginal<typeof import('../operators/parquetChunk.js')>();
  const count = (m: { path_in_schema: string[] }, rows: number) => {
    const name = m.path_in_schema.join('.');
    decoded.set(name, (decoded.get(name) ?? 0) + rows);
  };
  return {
    ...chunk,
    decodeChunk: (...a: Parameters<typeof chunk.decodeChunk>) => {
      count(a[2], a[4]);
      return chunk.decodeChunk(...a);
    },
    decodeChunkAt: (...a: Parameters<typeof chunk.decodeChunkAt>) => {
      count(a[2], a[5].length);
      return chunk.decodeChunkAt(...a);
    },
  };
});

const CUSTOMERS = 30_000;
const dir = tempDir('stratus-inline-rtfilter-');
const file = (n: string) => path.join(dir, `${n}.parquet`);
let db: DuckDBConnection;
let s: Session;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  const copy = (name: string, sql: string) =>
    db.run(`COPY (${sql}) TO '${file(name)}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`);
  // Orders by customer; customers by nation (50 nations); 2 of the 50 nations in region 3.
  await copy(
    'o',
    `SELECT i::INTEGER AS o_id, ((i * 7) % ${CUSTOMERS})::INTEGER AS o_ck, (i * 0.25)::DOUBLE AS o_x FROM range(120000) r(i)`,
  );
  await copy(
    'c',
    `SELECT i::INTEGER AS c_ck, (i % 50)::INTEGER AS c_nk, (i * 0.5)::DOUBLE AS c_x FROM range(${CUSTOMERS}) r(i)`,
  );
  await copy('n', `SELECT i::INTEGER AS n_nk, (i % 25)::INTEGER AS n_rk, 'nation' || i AS n_name FROM range(50) r(i)`);
  s = session({ store: tempDir(), executors: 1, progress: false });
  s.localRunner.pool.invoke = (event) =>
    runExecutorGroup(event, { store: cachedStore, remainingMillis: () => 600_000, log: () => {} });
});

afterAll(async () => {
  await s.stop();
  db.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an inlined build side with a join of its own', () => {
  it("decodes its other columns only at the rows its join's build side has a key for; equals DuckDB", async () => {
    const read = (n: string) => s.read.parquet(file(n));
    const region = read('c').join(read('n').filter(col('n_rk').equalTo(3)), col('c_nk').equalTo(col('n_nk')));
    const df = read('o')
      .join(region, col('o_ck').equalTo(col('c_ck')))
      .select('o_id', 'c_ck', 'c_x', 'n_name', 'o_x');
    // The customers' stage, with its join to the nations, is read inside the orders' tasks, and
    // its scan looks c_nk up in the region's nations.
    const staged = (await df.explain()).split('== Staged Plan ==')[1]!;
    const inlined = /build=scan\(stage (\d+), \d+ row groups read here\) probeKeys=\[o_ck\]/.exec(staged)?.[1];
    expect(inlined).toBeDefined();
    const stage = staged.split(/\n(?=\s*Stage \d+:)/).find((t) => t.trim().startsWith(`Stage ${inlined}:`))!;
    expect(stage).toMatch(/ParquetScan: path=\S+c\.parquet/);
    expect(stage).toMatch(/HashJoin: type=inner build=scan\(stage \d+, [^)]*\) probeKeys=\[c_nk\] [^\n]*scanFilter/);

    decoded.clear();
    const actual = rowsFromArrow(await df.collect());
    expect(s.lastJobSummary!.stages[Number(inlined)]!.skipped).toBe(true);
    const res = await db.runAndReadAll(
      `SELECT o_id, c_ck, c_x, n_name, o_x FROM '${file('o')}' JOIN '${file('c')}' ON o_ck = c_ck
         JOIN '${file('n')}' ON c_nk = n_nk WHERE n_rk = 3`,
    );
    const expected = { columns: res.columnNames(), rows: res.getRowsJS() as unknown[][] };
    expect(expected.rows.length).toBe(120_000 / 25);
    expectSameResults(actual, expected as never, { ordered: false });
    // 2 customers in 50 are of the region's nations: 1,200 rows of c_x decoded, not 30,000.
    expect(decoded.get('c_nk')).toBeGreaterThan(0);
    expect(decoded.get('c_x')).toBe((CUSTOMERS * 2) / 50);
  });
});

/**
 * Build sides narrowed to a scan task's key range (planner/buildRanges.ts, src/runtime/task.ts, narrowBuild.ts):
 * a probe table stored in key order is cut into tasks whose footer bounds of the key are narrow,
 * and each task indexes only the broadcast rows within its bounds — not every executor the whole
 * build side. Executors run in this process, with the join index wrapped to count the rows it
 * indexes; the whole answer equals DuckDB's. Also the task bounds (splitScan) and the range kernel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { col, session, type Session } from '../src/index.js';
import { cachedStore } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { rowsWithin, selectWithin } from '../src/runtime/narrowBuild.js';
import { splitScan, type SplitFile } from '../planner/tasks.js';
import { type Batch, type Int64Vec, vecFromValues } from '../operators/vector.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { tempDir } from './support/tpch.js';

/** Rows each join index was built over. */
const indexed = vi.hoisted(() => [] as number[]);

vi.mock('../operators/joinIndex.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../operators/joinIndex.js')>();
  return {
    ...m,
    joinIndex: (...a: Parameters<typeof m.joinIndex>) => {
      indexed.push(a[1]);
      return m.joinIndex(...a);
    },
  };
});

const ORDERS = 40_000;
const dir = tempDir('stratus-build-ranges-');
const file = (n: string) => path.join(dir, `${n}.parquet`);
let db: DuckDBConnection;
let s: Session;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  const copy = (name: string, sql: string) =>
    db.run(`COPY (${sql}) TO '${file(name)}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`);
  // Both in key order (as TPC-H lineitem and orders), keys past 2^32 and below zero; 1 in 7 orders kept.
  const key = (i: string) => `(${i} * 300000 - 2000000000)::BIGINT`;
  await copy('l', `SELECT ${key('(i // 4)')} AS l_k, (i % 50)::INTEGER AS l_q FROM range(${4 * ORDERS}) r(i)`);
  await copy('o', `SELECT ${key('i')} AS o_k, (i % 9)::INTEGER AS o_p FROM range(${ORDERS}) r(i) WHERE i % 7 = 0`);
  s = session({ store: tempDir(), executors: 2, progress: false, job: { taskBytes: 60_000 } });
  s.localRunner.pool.invoke = (event) =>
    runExecutorGroup(event, { store: cachedStore, remainingMillis: () => 600_000, log: () => {} });
});

afterAll(async () => {
  await s.stop();
  db.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a broadcast build side narrowed to each task', () => {
  it("indexes in each task only the build rows within its probe key's bounds; equals DuckDB", async () => {
    const read = (n: string) => s.read.parquet(file(n));
    const df = read('l')
      .filter(col('l_q').lt(40))
      .join(read('o'), col('l_k').equalTo(col('o_k')))
      .select('l_k', 'l_q', 'o_p');
    const plan = await df.explain();
    expect(plan).toMatch(/HashJoin: type=inner build=scan\(stage \d+.*scanFilter/);
    indexed.length = 0;
    const got = rowsFromArrow(await df.collect());
    const built = s.lastJobSummary!.stages.find((st) => st.tasks > 1)!;
    const buildRows = Math.ceil(ORDERS / 7);
    // One index per probe task, each over a slice of the build side, together all of it.
    expect(indexed).toHaveLength(built.tasks);
    expect(Math.max(...indexed)).toBeLessThan(buildRows / 2);
    expect(indexed.reduce((a, b) => a + b, 0)).toBeLessThan(buildRows * 1.2);
    const want = await db.runAndReadAll(
      `SELECT l_k, l_q, o_p FROM '${file('l')}' JOIN '${file('o')}' ON l_k = o_k WHERE l_q < 40`,
    );
    // DuckDB's BIGINTs as numbers, as rowsFromArrow gives int64 (all within 2^53 here).
    const rows = (want.getRowsJS() as unknown[][]).map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    const expected = { columns: want.columnNames(), rows };
    expect(expected.rows.length).toBeGreaterThan(0);
    expectSameResults(got, expected as never, { ordered: false });
  });
});

describe('task bounds of a column', () => {
  const files = (stats: (f: number, g: number) => { min: number; max: number }): SplitFile[] =>
    [0, 1].map((f) => ({
      url: `file:///t/part-${f}.parquet`,
      size: 1 << 20,
      partitionValues: {},
      rowGroups: [0, 1].map((index) => ({
        index,
        bytes: { k: 1000 },
        stats: { k: { ...stats(f, index), nullCount: 0 } },
      })),
    }));
  const schema = [{ name: 'k', type: 'int64' as const, nullable: false }];

  it('go with each task where they are a narrow slice of the scan', () => {
    const sorted = splitScan(
      files((f, g) => ({ min: f * 200 + g * 100, max: f * 200 + g * 100 + 99 })),
      schema,
      ['k'],
      [],
      2000,
      ['k'],
    );
    expect(sorted.inputs.map((t) => t.ranges)).toEqual([{ k: [0, 199] }, { k: [200, 399] }]);
  });

  it('are left out where a task spans most of the range (an unsorted column)', () => {
    const mixed = splitScan(
      files((_f, g) => ({ min: g, max: 1000 - g })),
      schema,
      ['k'],
      [],
      2000,
      ['k'],
    );
    expect(mixed.inputs.map((t) => t.ranges)).toEqual([undefined, undefined]);
    expect(
      splitScan(
        files(() => ({ min: 0, max: 9 })),
        schema,
        ['k'],
        [],
        2000,
      ).inputs[0]!.ranges,
    ).toBeUndefined();
  });
});

describe('the range kernel', () => {
  it('selects int64 keys within bounds as BigInt comparison does, across words and signs', () => {
    const values = [-(2 ** 40), -5, -1, 0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, 2 ** 45, 2 ** 52];
    const v = vecFromValues('int64', values);
    const bounds: [number, number][] = [
      [-1, 2 ** 32],
      [-(2 ** 40), -5],
      [2 ** 32 - 1, 2 ** 45],
      [0, 0],
      [2 ** 31, 2 ** 53 - 1],
    ];
    for (const [lo, hi] of bounds) {
      const out = new Int32Array(values.length);
      const k = selectWithin(v, values.length, lo, hi, out);
      const want = values.flatMap((x, i) => (BigInt(x) >= BigInt(lo) && BigInt(x) <= BigInt(hi) ? [i] : []));
      expect([...out.subarray(0, k)]).toEqual(want);
    }
  });

  it('keeps batches wholly within, drops those wholly outside, filters those that straddle', () => {
    const schema = [{ name: 'k', type: 'int64' as const, nullable: false }];
    const batch = (keys: number[]) => ({ schema, columns: [vecFromValues('int64', keys)], length: keys.length });
    const parts = [
      batch([-(2 ** 33), -7, -1]),
      batch([0, 5, 2 ** 32]),
      batch([2 ** 32 + 1, 2 ** 40]),
      batch([9, -3, 2 ** 34]),
    ];
    for (const [lo, hi] of [
      [-7, 2 ** 32],
      [-(2 ** 40), 2 ** 50],
      [2 ** 41, 2 ** 42],
      [6, 2 ** 32 + 1],
    ] as [number, number][]) {
      const got = rowsWithin(parts, 0, lo, hi);
      const keys = (bs: readonly Batch[]) => bs.flatMap((b) => [...(b.columns[0] as Int64Vec).values].map(Number));
      const want = keys(parts).filter((x) => x >= lo && x <= hi);
      expect(keys(got)).toEqual(want);
      // A batch wholly within is the same object; none is empty.
      expect(got.every((b) => b.length > 0)).toBe(true);
      if (lo === -(2 ** 40)) expect(got.every((b, i) => b === parts[i])).toBe(true);
    }
  });

  it('selects int32 and date keys', () => {
    const out = new Int32Array(5);
    const k = selectWithin(vecFromValues('date', [5, 10, 15, 20, 25]), 5, 10, 20, out);
    expect([...out.subarray(0, k)]).toEqual([1, 2, 3]);
  });
});

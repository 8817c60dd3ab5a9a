/**
 * Micro-batch: a job polls an input directory, processes only files it has not seen (the
 * checkpoint lives in the job state), sleeps between polls, and stops on command. Files that
 * arrive between polls are each processed exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { col, count, session, sum, type Session } from '../src/index.js';
import { SF01, tempDir } from './support/tpch.js';
import { flagCode } from './support/udfs.js';

let s: Session | undefined;
afterAll(async () => {
  await s?.stop();
});

const waitFor = async (cond: () => Promise<boolean> | boolean, ms = 60_000) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('micro-batch', () => {
  it('processes files arriving between polls exactly once, and stops on command', async () => {
    const input = tempDir('stratus-in-');
    const output = path.join(tempDir('stratus-out-'), 'sink');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    // Five slices of orders; each file is written atomically (temp name, then rename).
    const slice = async (i: number) => {
      const tmp = path.join(input, `.part-${i}.tmp`);
      await db.run(
        `COPY (SELECT o_orderkey, o_totalprice, o_orderstatus FROM '${SF01}/orders/*.parquet' WHERE o_orderkey % 5 = ${i}) TO '${tmp}' (FORMAT parquet)`,
      );
      fs.renameSync(tmp, path.join(input, `part-${i}.parquet`));
    };
    await slice(0);

    s = session({ store: tempDir(), executors: 2, progress: false });
    const stream = s.microBatch(s.read.parquet(input).filter(col('o_totalprice').gt(1000)), { output, pollSeconds: 1 });
    const outRows = async () =>
      fs.existsSync(output) && fs.readdirSync(output).some((f) => f.endsWith('.parquet'))
        ? s!.read.parquet(output).count()
        : 0;
    await waitFor(async () => (await outRows()) > 0);
    await slice(1);
    await slice(2);
    await waitFor(
      async () =>
        fs.readdirSync(output).filter((f) => f.endsWith('.parquet')).length >= 2 && (await outRows()) > 40_000,
    );
    await slice(3);
    await slice(4);
    await new Promise((r) => setTimeout(r, 2500)); // at least one more poll picks them up
    await stream.stop();
    const done = await stream.done;

    const expected = await db.runAndReadAll(
      `SELECT count(*), sum(o_totalprice) FROM '${SF01}/orders/*.parquet' WHERE o_totalprice > 1000`,
    );
    const [n, total] = expected.getRows()[0]!.map(Number);
    const got = (await s.read.parquet(output).agg(count('*').alias('n'), sum('o_totalprice').alias('t')).take(1))[0]!;
    expect(got.n).toBe(n); // every row once: no file skipped, none processed twice
    expect((got.t as number) / total!).toBeCloseTo(1, 12);
    const keys = await s.read
      .parquet(output)
      .groupBy('o_orderkey')
      .agg(count('*').alias('c'))
      .filter(col('c').gt(1))
      .count();
    expect(keys).toBe(0);
    expect(done.files).toBe(5);
    expect(done.rows).toBe(n);
    expect(done.batches).toBeGreaterThanOrEqual(2);
    expect(done.batches).toBeLessThanOrEqual(5);
  });

  it('stops by itself after maxBatches or an idle timeout', async () => {
    const input = tempDir('stratus-in-');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(
      `COPY (SELECT n_nationkey FROM '${SF01}/nation/*.parquet') TO '${path.join(input, 'a.parquet')}' (FORMAT parquet)`,
    );
    s ??= session({ store: tempDir(), executors: 2, progress: false });
    const idle = s.microBatch(s.read.parquet(input), {
      output: path.join(tempDir(), 'o1'),
      pollSeconds: 1,
      idleTimeoutSeconds: 2,
    });
    expect(await idle.done).toEqual({ batches: 1, rows: 25, files: 1 });
    expect(s.localRunner.actions).toContain('sleep');
    const capped = s.microBatch(s.read.parquet(input), {
      output: path.join(tempDir(), 'o2'),
      pollSeconds: 1,
      maxBatches: 1,
    });
    expect(await capped.done).toEqual({ batches: 1, rows: 25, files: 1 });
  });

  it('runs a plan that calls a user function: the job carries its bundle like any other job', async () => {
    const input = tempDir('stratus-in-');
    const output = path.join(tempDir('stratus-out-'), 'sink');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(
      `COPY (SELECT n_nationkey, n_name FROM '${SF01}/nation/*.parquet') TO '${path.join(input, 'a.parquet')}' (FORMAT parquet)`,
    );
    s ??= session({ store: tempDir(), executors: 2, progress: false });
    const df = s.read.parquet(input).select(col('n_nationkey'), flagCode(col('n_name')).alias('flag'));
    const stream = s.microBatch(df, { output, pollSeconds: 1, maxBatches: 1 });
    expect(await stream.done).toEqual({ batches: 1, rows: 25, files: 1 });
    const got = await s.read.parquet(output).orderBy('n_nationkey').take(100);
    const expected = await db.runAndReadAll(
      `SELECT n_nationkey, 'flag-' || lower(n_name) FROM '${SF01}/nation/*.parquet' ORDER BY 1`,
    );
    expect(got.map((r) => [r.n_nationkey, r.flag])).toEqual(expected.getRows());
  });
});

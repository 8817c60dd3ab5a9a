/**
 * User code: udf(), map(), flatMap() and mapBatches() run in separate executor processes from a
 * content-hashed bundle; an unregistered function and a tampered bundle give clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { col, count, session, sum, type Session } from '../src/index.js';
import { cachedStore } from '../src/runtime/env.js';
import { newJobId, readResult, submitJob } from '../src/runtime/client.js';
import { PLAN_VERSION } from '../planner/plan.js';
import { flagCode, netPrice } from './support/udfs.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
beforeAll(() => {
  s = session({ store: tempDir(), executors: 2, progress: false });
});
afterAll(async () => {
  await s.stop();
});
const t = (name: string) => s.read.parquet(path.join(SF01, name));

describe('user functions', () => {
  it('udf() works in expressions, filters and aggregates, in executor processes', async () => {
    const rows = await t('lineitem')
      .filter(col('l_orderkey').lt(1000))
      .groupBy(flagCode(col('l_returnflag')).alias('flag'))
      .agg(sum(netPrice(col('l_extendedprice'), col('l_discount'))).alias('net'), count('*').alias('n'))
      .orderBy('flag')
      .take(10);
    const expected = await duckdbQuery(
      // The UDF computes in doubles (its decimal arguments arrive as exact text, read as numbers): so does the oracle.
      "select 'flag-' || lower(l_returnflag) as flag, sum(round(l_extendedprice::DOUBLE * (1 - l_discount::DOUBLE) * 100) / 100) as net, count(*) as n from lineitem where l_orderkey < 1000 group by 1 order by 1",
      SF01,
    );
    expect(rows.map((r) => r.flag)).toEqual(expected.rows.map((r) => r[0]));
    for (const [i, r] of rows.entries()) expect((r.net as number) / (expected.rows[i]![1] as number)).toBeCloseTo(1, 9);
    expect(rows.map((r) => r.n)).toEqual(expected.rows.map((r) => r[2]));
    expect(s.localRunner.pool.pids.every((p) => p !== process.pid)).toBe(true);
  });

  it('map(), flatMap() and mapBatches() apply registered functions', async () => {
    const sizes = await t('orders')
      .map('order_size')
      .groupBy('size')
      .agg(count('*').alias('n'))
      .orderBy('size')
      .take(5);
    const exp = await duckdbQuery(
      "select case when o_totalprice > 200000 then 'large' else 'small' end as size, count(*) from orders group by 1 order by 1",
      SF01,
    );
    expect(sizes.map((r) => [r.size, r.n])).toEqual(exp.rows);
    const digits = await t('nation')
      .flatMap('explode_digits')
      .agg(count('*').alias('n'), sum('digit').alias('s'))
      .take(1);
    const digitSum = Array.from({ length: 25 }, (_, k) => [...String(k)].reduce((a, d) => a + Number(d), 0)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(digits[0]).toEqual({ n: 10 + 15 * 2, s: digitSum });
    // double_price reads o_totalprice as a Float64 Arrow column: cast the decimal(15,2) first.
    const doubled = await t('orders')
      .withColumn('o_totalprice', col('o_totalprice').cast('float64'))
      .mapBatches('double_price')
      .agg(sum('doubled').alias('d'))
      .take(1);
    const total = await t('orders').agg(sum('o_totalprice').alias('t')).take(1);
    expect((doubled[0]!.d as number) / (2 * Number(total[0]!.t))).toBeCloseTo(1, 12);
  });

  it('an unregistered function is a plan-time error', () => {
    expect(() => t('orders').map('no_such_fn')).toThrow(/no map function named 'no_such_fn' is registered/);
  });

  it('refuses a bundle whose hash does not match', async () => {
    // Submit a job whose bundle was modified after submit (same key, other bytes).
    const store = cachedStore(s.storeRef);
    const df = t('nation').select(flagCode(col('n_name')).alias('x'));
    await df.collect(); // builds and stores the real bundle
    const bundles = (await store.list('bundles/')).map((o) => o.key);
    expect(bundles.length).toBeGreaterThan(0);
    const key = bundles[0]!;
    const original = await store.get(key);
    const sha = key.slice('bundles/'.length, -'.mjs'.length);
    const jobId = newJobId();
    const tampered = `bundles/tampered-${sha}.mjs`;
    await store.put(tampered, new Uint8Array([...original, 0x0a, 0x2f, 0x2f]));
    await submitJob(store, jobId, {
      plan: {
        version: PLAN_VERSION,
        root: df.plan,
        sink: { kind: 'collect' },
        udfs: { names: ['flag_code'], key: tampered, sha256: sha },
      },
      options: {},
      submittedAt: new Date().toISOString(),
    });
    await s.localRunner.run({ jobId, store: s.storeRef });
    const err = await readResult(store, jobId).catch((e) => e);
    expect(err.code).toBe('BUNDLE_HASH_MISMATCH');
    expect(err.message).toMatch(/has SHA-256 [0-9a-f]{64}, but the plan expects/);
  });
});
